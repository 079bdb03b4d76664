// One worker of the cluster bench's pool: the same echo as echo-ringpoll.mjs, on the port all
// the workers share (reusePort).
import { createServer } from 'ringpoll'

export default async function start({ port }) {
  const server = createServer({
    onData(conn) {
      const { reader } = conn
      conn.write(reader.next(reader.length))
      reader.release()
    },
  })
  await server.listen({ port, host: '127.0.0.1', reusePort: true })
  return server
}
