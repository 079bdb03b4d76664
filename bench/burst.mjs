// How long a burst of pipelined requests waits for its answers: every connection sends `depth`
// requests at once, and per connection the time of its first and of its last answer is taken from
// the burst's start. The servers are bench/servers/http-server.mjs (node:http or Express 5) on
// ringpoll (each backend) and on node:net. A server that answers only at the end of its whole
// batch shows a first-answer median equal to its last answer; one that answers as it goes, about
// half of it. Not part of `npm run bench` (it times one burst, not a steady load).
//
//   node bench/burst.mjs [--app http|express] [--connections 1000] [--depth 10] [--bursts 3]
import net from 'node:net'
import { parseArgs } from 'node:util'
import { ringpoll, nodeServer } from './lib/contenders.mjs'
import { table } from './lib/markdown.mjs'
import { cpuSeconds, rssBytes } from './lib/proc.mjs'
import { raiseFdLimit, startServer, stopServer, watchdog } from './lib/processes.mjs'
import { fmt, median, percentile } from './lib/stats.mjs'

const { values: args } = parseArgs({
  options: {
    app: { type: 'string', default: 'http' },
    connections: { type: 'string', default: '1000' },
    depth: { type: 'string', default: '10' },
    bursts: { type: 'string', default: '3' },
  },
})
const [connections, depth, bursts] = [args.connections, args.depth, args.bursts].map(Number)
if (![connections, depth, bursts].every((n) => Number.isInteger(n) && n >= 1)) throw new Error('--connections, --depth and --bursts take integers >= 1')
raiseFdLimit(2 * connections + 1024)
watchdog(120 + bursts * 30)

const BODY = 'hello world\n'
const REQUESTS = 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n'.repeat(depth)
const serverArgs = ['--transport', 'ringpoll', '--app', args.app]
const contenders = [
  ...ringpoll('http-server.mjs', { label: 'ringpoll', args: serverArgs }),
  nodeServer('node:net', 'http-server.mjs', { args: ['--transport', 'net', '--app', args.app] }),
]

/** One burst on fresh connections: per connection, ms to its first answer byte and to its last answer. */
async function burst(port) {
  const sockets = []
  for (let i = 0; i < connections; i++) sockets.push(net.connect(port, '127.0.0.1'))
  await Promise.all(sockets.map((s) => new Promise((resolve, reject) => s.once('connect', resolve).once('error', reject))))
  const first = []
  const last = []
  const start = process.hrtime.bigint()
  const ms = () => Number(process.hrtime.bigint() - start) / 1e6
  await Promise.all(sockets.map((s) => new Promise((resolve, reject) => {
    let answers = 0
    let text = ''
    let answered = false
    s.setEncoding('latin1')
    s.on('error', reject)
    s.on('data', (d) => {
      if (!answered) first.push(ms())
      answered = true
      text += d
      for (let at = text.indexOf(BODY); at !== -1; at = text.indexOf(BODY)) {
        answers++
        text = text.slice(at + BODY.length)
      }
      if (answers === depth) {
        last.push(ms())
        resolve()
      }
    })
    s.write(REQUESTS)
  })))
  for (const s of sockets) s.destroy()
  return { first, last }
}

const rows = []
for (const contender of contenders) {
  const server = await startServer(contender)
  await burst(server.port) // warm-up, not counted
  const runs = []
  for (let i = 0; i < bursts; i++) {
    const cpu = cpuSeconds(server.pid)
    const { first, last } = await burst(server.port)
    runs.push({
      first50: percentile(first, 50),
      first99: percentile(first, 99),
      last: Math.max(...last),
      cpu: ((cpuSeconds(server.pid) - cpu) * 1e6) / (connections * depth),
      rss: rssBytes(server.pid) / 2 ** 20,
    })
  }
  await stopServer(server)
  const m = (k) => fmt(median(runs.map((r) => r[k])))
  rows.push([contender.name, m('first50'), m('first99'), m('last'), m('cpu'), m('rss')])
}
console.log(`${args.app === 'express' ? 'Express' : 'node:http'}: ${connections} connections × ${depth} pipelined requests at once; medians of ${bursts} bursts, ms from the burst's start\n`)
const right = (title) => ({ title, align: 'right' })
console.log(table([{ title: 'server', align: 'left' }, ...['first answer p50', 'first answer p99', 'last answer', 'server CPU µs/req', 'RSS MB'].map(right)], rows))
process.exit(0)
