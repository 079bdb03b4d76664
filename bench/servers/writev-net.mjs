// The writev scenario on node:net, two ways (--mode):
//   cork     socket.cork(), one socket.write() per segment, socket.uncork(): the stream hands the
//            batch to its _writev, one vectored write (the idiomatic way);
//   _writev  socket._writev() called with the segments directly, skipping the stream's buffering:
//            the least node:net's vectored path can cost.
import net from 'node:net'
import { parseArgs } from 'node:util'
import { port, ready } from './response.mjs'
import { REQUEST_SIZE, SEGMENTS } from './segments.mjs'

const { values } = parseArgs({ options: { mode: { type: 'string' } }, allowPositionals: true })
const CHUNKS = SEGMENTS.map((chunk) => ({ chunk, encoding: 'buffer' }))
// A write error (the client closing at the end) also reaches the socket's 'error' listener.
const onWritten = () => {}
const respond = {
  cork(socket) {
    socket.cork()
    for (const segment of SEGMENTS) socket.write(segment)
    socket.uncork()
  },
  _writev(socket) {
    socket._writev(CHUNKS, onWritten)
  },
}[values.mode]
if (!respond) throw new TypeError('--mode takes cork or _writev')

const server = net.createServer((socket) => {
  socket.setNoDelay(true)
  socket.on('error', () => {})
  let pending = 0
  socket.on('data', (data) => {
    pending += data.length
    for (; pending >= REQUEST_SIZE; pending -= REQUEST_SIZE) respond(socket)
  })
})
server.listen(port, '127.0.0.1', () => ready(server.address().port))
