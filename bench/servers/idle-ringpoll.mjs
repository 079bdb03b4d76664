// Holds idle connections on ringpoll (backend from RINGPOLL_BACKEND); see holder.mjs.
import { createServer } from 'ringpoll'
import { holder } from './holder.mjs'
import { port, ready } from './response.mjs'

const held = holder()
const server = createServer({
  onConnect(conn) {
    conn.context = conn.remotePort
    held.opened()
  },
  onData(conn) {
    conn.reader.release()
  },
  onClose(conn) {
    held.closed(conn.context)
  },
})
const address = await server.listen({ port, host: '127.0.0.1', backlog: 4096 })
ready(address.port, server.backend)
