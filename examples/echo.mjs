// An echo server on ringpoll: node examples/echo.mjs [port]
import { createServer } from 'ringpoll'

const server = createServer({
  onConnect(conn) {
    console.log('connected', conn.remoteAddress, conn.remotePort)
  },
  onData(conn) {
    const { reader } = conn
    conn.write(reader.next(reader.length)) // a view of input memory; write copies or forwards it
    reader.release()
  },
  onClose(conn, err) {
    console.log('closed', conn.remotePort, err ? err.code : 'cleanly')
  },
})

const { port } = await server.listen({ port: Number(process.argv[2] ?? 7000), host: '127.0.0.1' })
console.log(`echo server on 127.0.0.1:${port}`)
process.once('SIGINT', () => server.close({ timeout: 1000 }))
