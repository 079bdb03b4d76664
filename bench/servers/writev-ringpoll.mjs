// The writev scenario on ringpoll: each request is answered with one conn.writev() of every segment.
import { createServer } from 'ringpoll'
import { port, ready } from './response.mjs'
import { REQUEST_SIZE, SEGMENTS } from './segments.mjs'

const server = createServer({
  onData(conn) {
    const { reader } = conn
    while (reader.length >= REQUEST_SIZE) {
      reader.skip(REQUEST_SIZE)
      conn.writev(SEGMENTS)
    }
    reader.release()
  },
})
const address = await server.listen({ port, host: '127.0.0.1' })
ready(address.port, server.backend)
