// A node:http server served on ringpoll, for the http tests.
import http from 'node:http'
import { serve } from 'ringpoll/http'

/** Serves `handler` on 127.0.0.1; resolves { app, listener, port, url }, closed at teardown. */
export async function serveHttp(t, handler, options = {}) {
  const app = http.createServer(options, handler)
  const listener = serve(app, { port: 0, host: '127.0.0.1' })
  await new Promise((resolve, reject) => {
    app.once('listening', resolve)
    app.once('error', reject)
  })
  const { port } = listener.address()
  t.teardown(() => {
    app.closeAllConnections()
    return new Promise((resolve) => listener.close(() => resolve()))
  })
  return { app, listener, port, url: `http://127.0.0.1:${port}` }
}

/** A request with node:http's client; resolves { res, body } once the body has arrived. */
export function request(url, options = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      const parts = []
      res.on('data', (d) => parts.push(d))
      res.on('end', () => resolve({ res, body: Buffer.concat(parts) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    if (typeof body === 'function') body(req)
    else req.end(body)
  })
}
