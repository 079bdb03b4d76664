// Loaded into the soak's server process with --import, before examples/http-hello.mjs: adds an
// echo server on the same reactor and sends the parent (scripts/soak.mjs) one sample a second of
// what could leak: RSS, JS heap, descriptors, slabs, chunks and connections.
import { readdirSync } from 'node:fs'
import { createServer, stats } from 'ringpoll'

const echo = createServer({
  onData(conn) {
    conn.write(conn.reader.next(conn.reader.length))
    conn.reader.release()
  },
})
const { port } = await echo.listen({ port: 0, host: '127.0.0.1' })

function sample() {
  const st = stats()
  const mem = process.memoryUsage()
  return {
    rss: mem.rss,
    heap: mem.heapUsed,
    external: mem.external + mem.arrayBuffers,
    fds: readdirSync('/proc/self/fd').length,
    slabs: st.slabs,
    chunksInUse: st.chunksInUse,
    connections: st.connections,
  }
}

process.send({ echoPort: port })
setInterval(() => process.send({ sample: sample() }), 1000).unref()
process.on('message', (m) => {
  if (m === 'exit') process.exit(0)
})
process.on('disconnect', () => process.exit(0))
