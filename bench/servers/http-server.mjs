// HTTP hello world on node:http (or Express 5 on node:http), its sockets from node:net or from
// ringpoll (through ringpoll/http); the same handler either way.
//   node bench/servers/http-server.mjs <port> --transport net|ringpoll [--app http|express]
import http from 'node:http'
import { parseArgs } from 'node:util'
import './gc-meter.mjs'
import { meterRingpoll } from './memory-meter.mjs'
import { ready, unavailable } from './response.mjs'

const { values, positionals } = parseArgs({
  options: { transport: { type: 'string', default: 'net' }, app: { type: 'string', default: 'http' } },
  allowPositionals: true,
})
const port = Number(positionals[0] ?? 0)

async function handler(kind) {
  if (kind === 'http') {
    return (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 12 })
      res.end('hello world\n')
    }
  }
  if (kind === 'express') {
    const { default: express } = await import('express').catch(() => unavailable('express not installed'))
    const app = express()
    app.set('etag', false) // the same 87-byte response as the plain handler (no ETag header)
    app.set('x-powered-by', false)
    app.get('/', (req, res) => {
      res.set('Content-Type', 'text/plain')
      res.send('hello world\n')
    })
    return app
  }
  throw new TypeError(`--app takes http or express, not ${kind}`)
}

const app = http.createServer(await handler(values.app))

if (values.transport === 'ringpoll') {
  const { serve } = await import('ringpoll/http').catch(() => unavailable('ringpoll/http not built'))
  const { stats } = await import('ringpoll')
  meterRingpoll(stats)
  const listener = serve(app, { port, host: '127.0.0.1' }, () => ready(listener.address().port, stats().backend))
} else if (values.transport === 'net') {
  app.listen(port, '127.0.0.1', () => ready(app.address().port))
} else {
  throw new TypeError(`--transport takes net or ringpoll, not ${values.transport}`)
}
