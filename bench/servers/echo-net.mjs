// Echo on node:net: every 'data' chunk is written back.
import net from 'node:net'
import { port, ready } from './response.mjs'

const server = net.createServer((socket) => {
  socket.setNoDelay(true)
  socket.on('error', () => {})
  socket.on('data', (data) => socket.write(data))
})
server.listen(port, '127.0.0.1', () => ready(server.address().port))
