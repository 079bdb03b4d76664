// Echo on ringpoll's raw API: what arrived is written back as it is (a view of input memory,
// copied into output memory or linked in place, then released). Backend from RINGPOLL_BACKEND.
import { createServer } from 'ringpoll'
import { port, ready } from './response.mjs'

const server = createServer({
  onData(conn) {
    const { reader } = conn
    conn.write(reader.next(reader.length))
    reader.release()
  },
})
const address = await server.listen({ port, host: '127.0.0.1' })
ready(address.port, server.backend)
