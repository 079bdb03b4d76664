// HTTP hello world on ringpoll's raw API: count complete requests in the reader, answer each.
// The backend comes from RINGPOLL_BACKEND, as the bench sets it.
import { createServer } from 'ringpoll'
import { END_OF_REQUEST, RESPONSE, port, ready } from './response.mjs'

const server = createServer({
  onData(conn) {
    const { reader } = conn
    let end
    while ((end = reader.indexOf(END_OF_REQUEST)) !== -1) {
      reader.skip(end + END_OF_REQUEST.length)
      conn.write(RESPONSE)
    }
    reader.release()
  },
})
const address = await server.listen({ port, host: '127.0.0.1' })
ready(address.port, server.backend)
