// HTTP hello world on Bun.listen (run by bun, not node): the counting of http-net.mjs over a string
// of leftovers, one write per request; a partial write is queued until the socket drains.
import { END_OF_REQUEST, RESPONSE, port, ready } from './response.mjs'

function send(socket, bytes) {
  const state = socket.data
  if (state.queued) {
    state.queued = Buffer.concat([state.queued, bytes])
    return
  }
  const written = socket.write(bytes)
  if (written < bytes.length) state.queued = bytes.subarray(Math.max(written, 0))
}

const listener = Bun.listen({
  hostname: '127.0.0.1',
  port,
  socket: {
    open(socket) {
      socket.setNoDelay?.(true)
      socket.data = { pending: '', queued: null }
    },
    data(socket, data) {
      const state = socket.data
      state.pending += data.toString('latin1')
      let end
      while ((end = state.pending.indexOf(END_OF_REQUEST)) !== -1) {
        state.pending = state.pending.slice(end + END_OF_REQUEST.length)
        send(socket, RESPONSE)
      }
    },
    drain(socket) {
      const queued = socket.data.queued
      socket.data.queued = null
      if (queued) send(socket, queued)
    },
    error() {},
  },
})
ready(listener.port)
