// An echo server for fault-emfile.test.mjs, run under a low RLIMIT_NOFILE. Prints its port, then
// "closed" for every connection that closes; exits when its stdin ends.
import { createServer } from 'ringpoll'

const server = createServer({
  onData(conn) {
    conn.write(conn.reader.next(conn.reader.length))
    conn.reader.release()
  },
  onClose: () => process.stdout.write('closed\n'),
})
const { port } = await server.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`port ${port}\n`)
process.stdin.resume()
process.stdin.on('end', () => process.exit(0))
