// HTTP/1.1 hello world on ringpoll's raw API: node examples/http-hello.mjs [port]
// Keep-alive and pipelining work because every complete request head in the input gets one
// response, in order. (A real server would parse the head and read bodies; this answers GETs.)
import { createServer } from 'ringpoll'

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!')
const END_OF_HEAD = '\r\n\r\n'

const server = createServer({
  onData(conn) {
    const { reader } = conn
    let end
    while ((end = reader.indexOf(END_OF_HEAD)) !== -1) {
      reader.skip(end + END_OF_HEAD.length)
      conn.write(RESPONSE)
    }
    reader.release()
  },
  idleTimeout: 60_000,
})

const { port } = await server.listen({ port: Number(process.argv[2] ?? 8080), host: '127.0.0.1' })
console.log(`listening on http://127.0.0.1:${port}/`)
process.once('SIGINT', () => server.close({ timeout: 1000 }))
process.once('SIGTERM', () => server.close({ timeout: 1000 }))
