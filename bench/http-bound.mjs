// How far under node:http on node:net any transport can take node:http (issue #12), without perf:
// per load, alternating rounds of node:http on node:net and on ringpoll, ringpoll's raw responder
// (its reactor and a few lines of JS answering the same bytes) and the C epoll reference, each
// server's user and kernel CPU per request read from /proc; then node:http alone
// (servers/http-alone.mjs: the same app over in-process sockets that cost nothing, in wake-ups as
// full as can be, no system call, caches hot). The bound is node:http alone plus the kernel time of
// the C reference (or of ringpoll, where less) over node:http on node:net: what node:http would cost
// on a transport whose own user time were zero. It is a floor: inside a server node:http's code runs
// with the kernel's work between requests, slower than alone. A second bound adds the raw API's user
// time, the least a transport here spends per request. The last column is the same with node:http
// alone given each request already parsed (http-alone.mjs `parsed`: its parser's callbacks called
// directly): the floor of a native HTTP parser that drives node:http's request and response
// objects, plus the raw API's user time. Not part of `npm run bench`.
//
//   node bench/http-bound.mjs [--loads ac10,ac10p10,ac100,ac100p10,ac1000,ac1000p10,wrk100,wrk1000]
//                             [--rounds 3] [--seconds 3] [--backend io_uring|epoll] [--app http|express]
// (--app express: the same with Express 5 as the app, in every server and alone.)
import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { cServer, nodeServer } from './lib/contenders.mjs'
import { parseLoad } from './lib/loads.mjs'
import { table } from './lib/markdown.mjs'
import { benchPath, node, raiseFdLimit, watchdog } from './lib/processes.mjs'
import { cpuTimes } from './lib/proc.mjs'
import { alternate } from './lib/rounds.mjs'
import { fmt, fmtRatio, median } from './lib/stats.mjs'
import { summarize, find, problemLines } from './lib/summary.mjs'

const { values: args } = parseArgs({
  options: {
    loads: { type: 'string', default: 'ac10,ac10p10,ac100,ac100p10,ac1000,ac1000p10,wrk100,wrk1000' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    backend: { type: 'string', default: 'io_uring' },
    app: { type: 'string', default: 'http' },
  },
})
const rounds = Number(args.rounds)
const seconds = Number(args.seconds)
if (!(rounds > 0 && seconds > 0)) throw new Error('--rounds and --seconds take positive numbers')
const loads = args.loads.split(',').map(parseLoad)
if (!['http', 'express'].includes(args.app)) throw new Error('--app takes http or express')
raiseFdLimit(Math.max(...loads.map((l) => l.connections)) + 1024)
watchdog(120 + loads.length * rounds * 6 * (seconds + 8)) // four servers, then the app alone twice

const APP = args.app === 'http' ? 'node:http' : 'Express'
const NET = `${APP} on node:net`
const RINGPOLL = `${APP} on ringpoll (${args.backend})`
const RINGPOLL_RAW = `ringpoll raw API (${args.backend})`
const C = 'C epoll reference'
const server = (name, transport) => nodeServer(name, 'http-server.mjs', { args: ['--transport', transport, '--app', args.app] })
const onBackend = (contender) => ({ ...contender, backend: args.backend, env: { RINGPOLL_BACKEND: args.backend } })
const contenders = [
  server(NET, 'net'),
  onBackend(server(RINGPOLL, 'ringpoll')),
  onBackend(nodeServer(RINGPOLL_RAW, 'http-ringpoll.mjs')),
  cServer(C, 'http_epoll'),
]

/**
 * The app alone (no transport), at the load's connections and pipelining, given the requests as
 * `bytes` (through node:http's parser) or `parsed`: µs per request.
 */
function alone(load, input) {
  const argv = [benchPath('servers/http-alone.mjs'), String(load.connections), String(load.pipelining), String(seconds), args.app, input]
  const out = execFileSync(node, argv, { encoding: 'utf8', timeout: (seconds + 30) * 1000 })
  const { userUs, systemUs } = JSON.parse(out)
  return userUs + systemUs
}

const rows = []
const problems = []
for (const load of loads) {
  const options = (port, s) => ({ port, connections: load.connections, pipelining: load.pipelining, seconds: s, body: 'hello world\n' })
  const entries = await alternate(contenders, {
    rounds,
    warmup: (s) => load.drive(options(s.port, 0.5)),
    measure: async (s) => {
      const before = cpuTimes(s.pid)
      const r = await load.drive(options(s.port, seconds))
      const after = cpuTimes(s.pid)
      return { problems: r.problems, userUs: ((after.user - before.user) * 1e6) / r.requests, kernelUs: ((after.system - before.system) * 1e6) / r.requests }
    },
  })
  const summaries = summarize(entries)
  const aloneUs = median(Array.from({ length: rounds }, () => alone(load, 'bytes')))
  const parsedUs = median(Array.from({ length: rounds }, () => alone(load, 'parsed')))
  const [net, ringpoll, raw, c] = [NET, RINGPOLL, RINGPOLL_RAW, C].map((name) => find(summaries, name) ?? {})
  const total = (s) => s.userUs + s.kernelUs
  const kernelFloor = Math.min(c.kernelUs, ringpoll.kernelUs)
  rows.push([
    load.name,
    `${fmt(total(net))} (${fmt(net.userUs)} + ${fmt(net.kernelUs)})`,
    `${fmt(total(ringpoll))} (${fmt(ringpoll.userUs)} + ${fmt(ringpoll.kernelUs)})`,
    fmtRatio(total(ringpoll) / total(net)),
    fmt(raw.userUs),
    fmt(c.kernelUs),
    fmt(aloneUs),
    fmt(ringpoll.userUs - aloneUs),
    fmtRatio((aloneUs + kernelFloor) / total(net)),
    fmtRatio((aloneUs + kernelFloor + raw.userUs) / total(net)),
    fmt(parsedUs),
    fmtRatio((parsedUs + kernelFloor + raw.userUs) / total(net)),
  ])
  const said = problemLines(summaries)
  if (said) problems.push(`${load.name}:${said}`)
}

console.log(`${APP} hello world, server CPU µs per request (user + kernel), medians of ${rounds} alternating rounds of ${seconds} s\n`)
console.log(table([
  { title: 'load', align: 'left' }, { title: NET }, { title: RINGPOLL }, { title: 'ratio' },
  { title: 'ringpoll raw API, user' }, { title: 'C reference, kernel' }, { title: `${APP} alone` },
  { title: `ringpoll user − ${APP} alone` }, { title: 'bound' }, { title: 'bound + raw API user' },
  { title: `${APP} alone, parsed` }, { title: 'native-parser bound + raw API user' },
], rows))
console.log(`
bound = (${APP} alone + the lesser kernel time of the C reference and ringpoll) ÷ ${NET}
bound + raw API user: the same with the user time of ringpoll's raw API added, the least that a transport here spends to wake up, take the bytes in, call JS and send
native-parser bound + raw API user: the same with ${APP} alone given each request already parsed (its parser's callbacks called directly), the floor of a native parser that drives node:http's objects`)
if (problems.length) console.log(`\n${problems.join('\n')}`)
process.exit() // problemLines set the exit code if a round went wrong
