// Echo on Bun.listen (run by bun): every chunk is written back; a partial write is queued until the
// socket drains.
import { port, ready } from './response.mjs'

function send(socket, bytes) {
  if (socket.data.queued) {
    socket.data.queued = Buffer.concat([socket.data.queued, bytes])
    return
  }
  const written = socket.write(bytes)
  if (written < bytes.length) socket.data.queued = Buffer.from(bytes.subarray(Math.max(written, 0)))
}

const listener = Bun.listen({
  hostname: '127.0.0.1',
  port,
  socket: {
    open(socket) {
      socket.setNoDelay?.(true)
      socket.data = { queued: null }
    },
    data: send,
    drain(socket) {
      const queued = socket.data.queued
      socket.data.queued = null
      if (queued) send(socket, queued)
    },
    error() {},
  },
})
ready(listener.port)
