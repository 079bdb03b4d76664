// HTTP hello world on node:net: the same counting over a string of leftovers, the same response.
import net from 'node:net'
import './gc-meter.mjs'
import { END_OF_REQUEST, RESPONSE, port, ready } from './response.mjs'

const server = net.createServer((socket) => {
  socket.setNoDelay(true)
  socket.on('error', () => {})
  let pending = ''
  socket.on('data', (data) => {
    pending += data.toString('latin1')
    let end
    while ((end = pending.indexOf(END_OF_REQUEST)) !== -1) {
      pending = pending.slice(end + END_OF_REQUEST.length)
      socket.write(RESPONSE)
    }
  })
})
server.listen(port, '127.0.0.1', () => ready(server.address().port))
