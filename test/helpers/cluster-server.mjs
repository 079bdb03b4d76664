// A pool worker's start function for the cluster tests. Each reply names the worker's thread:
// "<threadId>:<message>". workerData: { port, kind }: kind 'raw' (ringpoll, the default), 'net'
// (ringpoll/net) or 'http' (node:http through ringpoll/http's serve()). On the raw server the
// message "die" makes the worker throw outside any handler, which ends its thread.
import http from 'node:http'
import { threadId } from 'node:worker_threads'
import { createServer } from 'ringpoll'
import * as rnet from 'ringpoll/net'
import { serve } from 'ringpoll/http'

const listen = { host: '127.0.0.1', reusePort: true }

export default async function start({ port, kind = 'raw' }) {
  if (kind === 'net') {
    const server = rnet.createServer((socket) => socket.on('data', (d) => socket.write(`${threadId}:${d}`)))
    await new Promise((resolve, reject) => server.once('error', reject).listen({ port, ...listen }, resolve))
    return server
  }
  if (kind === 'http') {
    const app = http.createServer((req, res) => res.end(`${threadId}:${req.url}`))
    const listener = serve(app, { port, ...listen })
    await new Promise((resolve, reject) => app.once('listening', resolve).once('error', reject))
    return listener
  }
  const server = createServer({
    onData(conn) {
      const message = conn.reader.readString(conn.reader.length)
      conn.reader.release()
      if (message === 'die') {
        setImmediate(() => {
          throw new Error('worker died on purpose')
        })
      } else {
        conn.write(`${threadId}:${message}`)
      }
    },
  })
  await server.listen({ port, ...listen })
  return server
}
