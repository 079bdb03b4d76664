// HTTP hello world on node:http (or Express 5 on node:http), its sockets from node:net or from
// ringpoll (through ringpoll/http); the same handler either way.
//   node bench/servers/http-server.mjs <port> --transport net|ringpoll [--app http|express]
import http from 'node:http'
import { parseArgs } from 'node:util'
import './gc-meter.mjs'
import { meterRingpoll } from './memory-meter.mjs'
import { helloApp } from './hello-app.mjs'
import { ready, unavailable } from './response.mjs'

const { values, positionals } = parseArgs({
  options: { transport: { type: 'string', default: 'net' }, app: { type: 'string', default: 'http' } },
  allowPositionals: true,
})
const port = Number(positionals[0] ?? 0)

const app = http.createServer(await helloApp(values.app))

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
