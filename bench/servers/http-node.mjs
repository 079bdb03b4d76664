// node:http hello world, its sockets from node:net (--net, the default) or from ringpoll
// (--ringpoll, through ringpoll/http). The same handler either way.
//   node bench/servers/http-node.mjs [--ringpoll] [port]
import http from 'node:http'
import { serve } from 'ringpoll/http'
import { ready } from './response.mjs'

const onRingpoll = process.argv.includes('--ringpoll')
const port = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 0)

const app = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 12 })
  res.end('hello world\n')
})
if (onRingpoll) {
  const listener = serve(app, { port, host: '127.0.0.1' }, () => ready(listener.address().port))
} else {
  app.listen(port, '127.0.0.1', () => ready(app.address().port))
}
