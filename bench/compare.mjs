// One step measured: the HTTP hello world of the raw API from another checkout of ringpoll (built,
// e.g. `git archive <commit> | tar -x -C DIR`, then `npx tsc` and `node scripts/node-gyp.js
// rebuild` in DIR) against this one, on each backend, with the C reference, the Node floor's four
// variants (servers/http-floor.mjs, a minimal addon on Node's loop; bench/README.md), Bun.listen,
// uWS.js and the raw node:net responder in the same alternating rounds. Prints server CPU µs per
// request per load, the ratios to the goals of issue 11 (C, the better of Bun.listen and uWS.js,
// node:net), the user part of each figure (/proc's utime; the rest is system time), and every row
// divided by C and by Bun.listen.
//
//   node bench/compare.mjs --base DIR [--loads ac10,ac100,ac1000,wrk100,wrk1000] [--rounds 3] [--seconds 1] [--without-floor]
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadAutocannon } from './lib/autocannon.mjs'
import { bunServer, cServer, floorServer, nodeServer, uwsServer } from './lib/contenders.mjs'
import { cpuTimes } from './lib/proc.mjs'
import { benchPath, watchdog } from './lib/processes.mjs'
import { alternate } from './lib/rounds.mjs'
import { median } from './lib/stats.mjs'
import { hasWrk, loadWrk } from './lib/wrk.mjs'

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    loads: { type: 'string', default: 'ac10,ac100,ac1000,wrk100,wrk1000' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '1' },
    'without-floor': { type: 'boolean', default: false },
  },
})
if (!args.base || !existsSync(`${args.base}/bench/servers/http-ringpoll.mjs`)) throw new Error('--base takes a built checkout of ringpoll')
const rounds = Number(args.rounds)
const seconds = Number(args.seconds)
if (!(Number.isInteger(rounds) && rounds >= 1) || !(seconds > 0)) throw new Error('--rounds takes an integer >= 1, --seconds a positive number')
const loads = args.loads.split(',').map((name) => {
  const m = /^(ac|wrk)(\d+)$/.exec(name)
  if (!m || (m[1] === 'wrk' && !hasWrk)) throw new Error(`--loads: ${name} is not acN or wrkN (wrk installed: ${hasWrk})`)
  return { name, drive: m[1] === 'wrk' ? loadWrk : loadAutocannon, connections: Number(m[2]) }
})

const raw = (name, dir, backend) => ({ name, backend, command: [process.execPath, `${dir}/bench/servers/http-ringpoll.mjs`, '0'], env: { RINGPOLL_BACKEND: backend } })
const contenders = [
  ...['io_uring', 'epoll'].flatMap((b) => [raw(`base ${b}`, args.base, b), raw(`this ${b}`, benchPath('..'), b)]),
  cServer('C', 'http_epoll'),
  ...(args['without-floor'] ? [] : ['direct', 'nested', 'callback', 'js'].map((v) => floorServer(`floor ${v}`, v))),
  bunServer('Bun.listen', 'http-bun-listen.mjs'),
  uwsServer('uWS.js'),
  nodeServer('node:net raw', 'http-net.mjs'),
]
watchdog(4 * loads.length * contenders.length * (rounds * seconds + 2))

const cpu = new Map(contenders.map((c) => [c.name, []]))
const user = new Map(contenders.map((c) => [c.name, []]))
for (const load of loads) {
  const options = (server, s) => ({ port: server.port, connections: load.connections, pipelining: 1, seconds: s, body: 'hello world\n' })
  const entries = await alternate(contenders, {
    rounds,
    warmup: (server) => load.drive(options(server, 0.5)),
    measure: async (server) => {
      const before = cpuTimes(server.pid)
      const r = await load.drive(options(server, seconds))
      if (r.problems.length) throw new Error(r.problems.join('; '))
      const after = cpuTimes(server.pid)
      const per = (s) => (s * 1e6) / r.requests
      return { cpu: per(after.user + after.system - before.user - before.system), user: per(after.user - before.user) }
    },
  })
  for (const e of entries) {
    cpu.get(e.contender.name).push(median(e.runs.map((run) => run.cpu)))
    user.get(e.contender.name).push(median(e.runs.map((run) => run.user)))
    for (const why of [...e.failures, ...(e.unavailable ? [`not available: ${e.unavailable}`] : [])]) console.error(`${e.contender.name}, ${load.name}: ${why}`)
  }
}

const row = (cells) => `| ${cells.join(' | ')} |`
const header = (title) => [row([title, ...loads.map((l) => l.name)]), row(['---', ...loads.map(() => '---:')])]
const lines = [...header('server CPU µs/request'), ...[...cpu].map(([name, xs]) => row([name, ...xs.map((x) => x.toFixed(2))])), '']
const better = (xs) => (xs.some(Number.isFinite) ? Math.min(...xs.filter(Number.isFinite)) : NaN)
const peer = loads.map((_, i) => better([cpu.get('Bun.listen')[i], cpu.get('uWS.js')[i]]))
const refs = [['C (goal ≤ 1.1×)', cpu.get('C')], ['the better of Bun.listen, uWS.js (goal ≤ 0.9×)', peer], ['node:net raw (goal ≤ 0.6×)', cpu.get('node:net raw')]]
lines.push(...header('ratio'))
for (const name of [...cpu.keys()].filter((n) => /^(base|this) /.test(n))) {
  for (const [what, ref] of refs) lines.push(row([`${name} vs ${what}`, ...cpu.get(name).map((x, i) => (x / ref[i]).toFixed(2))]))
}
lines.push('', ...header('of which user µs/request (the rest is system)'), ...[...user].map(([name, xs]) => row([name, ...xs.map((x) => x.toFixed(2))])))
lines.push('', ...header('÷ C, ÷ Bun.listen'))
for (const [name, xs] of cpu) lines.push(row([name, ...xs.map((x, i) => `${(x / cpu.get('C')[i]).toFixed(2)}, ${(x / cpu.get('Bun.listen')[i]).toFixed(2)}`)]))
console.log(lines.join('\n'))
process.exit(0)
