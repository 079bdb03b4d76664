// The HTTP hello world on every core: node examples/cluster-hello.mjs [port]
// This file is both the pool's entry (on the main thread) and the module each worker runs: its
// default export starts one worker's server. The port must be a real one (not 0): every worker
// listens on it, with reusePort.
import { isMainThread } from 'node:worker_threads'
import { createServer } from 'ringpoll'
import { availableCores, startWorkers } from 'ringpoll/cluster'

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!')
const END_OF_HEAD = '\r\n\r\n'

/** @param {{ port: number }} workerData */
export default async function start({ port }) {
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
  await server.listen({ port, host: '127.0.0.1', reusePort: true })
  return server
}

if (isMainThread) {
  const port = Number(process.argv[2] ?? 8080)
  const pool = await startWorkers(new URL(import.meta.url), { count: availableCores(), workerData: { port } })
  pool.on('exit', ({ index, error }) => console.error(`worker ${index} died (${error?.message ?? 'exited'}); restarting`))
  console.log(`${pool.size} workers listening on http://127.0.0.1:${port}/`)
  const stop = () => pool.close({ timeout: 1000 })
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
