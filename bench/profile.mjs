// Where the CPU of one HTTP request goes, per contender: each server in turn under one load, with
// `perf record -e cpu-clock -g` attached for the measured seconds (Node servers run with
// --perf-basic-prof, so JS frames have names). Prints, per contender, the kernel/user split of its
// samples and its top frames by self time (and, for the Node floor, requests per loop iteration),
// then every contender's self time by kind of work in µs per request (bench/lib/profile-kinds.mjs).
// Needs perf; not part of `npm run bench`.
//
//   node bench/profile.mjs [--contenders ringpoll,floor-direct,floor-nested,floor-callback,floor-js,C,Bun.listen,uWS.js,node:net,
//                                        http-ringpoll,http-net,express-ringpoll,express-net]
//                          [--load ac100|ac1000p10|wrk100] [--seconds 4] [--top 12] [--keep DIR]
// (http-* and express-* are node:http and Express 5 hello world, bench/servers/http-server.mjs, with
// their sockets from ringpoll/http or node:net.)
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { cpuSeconds } from './lib/proc.mjs'
import { bunServer, cServer, floorServer, nodeServer, uwsServer } from './lib/contenders.mjs'
import { ask, benchPath, node, startServer, stopServer, watchdog } from './lib/processes.mjs'
import { parseLoad } from './lib/loads.mjs'
import { table } from './lib/markdown.mjs'
import { kinds, samplesByKind } from './lib/profile-kinds.mjs'
import { fmt } from './lib/stats.mjs'

const { values: args } = parseArgs({
  options: {
    contenders: { type: 'string', default: 'ringpoll,floor-direct,floor-nested,floor-callback,floor-js,C,Bun.listen,uWS.js,node:net' },
    load: { type: 'string', default: 'ac100' },
    seconds: { type: 'string', default: '4' },
    top: { type: 'string', default: '12' },
    keep: { type: 'string' },
  },
})
const seconds = Number(args.seconds)
if (!(seconds > 0)) throw new Error('--seconds takes a positive number')
const { drive, connections, pipelining } = parseLoad(args.load)
const prof = ['--perf-basic-prof']
const ringpoll = (backend) => ({ name: `ringpoll (${backend})`, backend, command: [node, ...prof, benchPath('servers/http-ringpoll.mjs'), '0'], env: { RINGPOLL_BACKEND: backend } })
const known = {
  ringpoll: () => ringpoll('io_uring'),
  'ringpoll-epoll': () => ringpoll('epoll'),
  C: () => cServer('C', 'http_epoll'),
  'Bun.listen': () => bunServer('Bun.listen', 'http-bun-listen.mjs'),
  'uWS.js': () => ({ ...uwsServer('uWS.js'), command: uwsServer('uWS.js').command?.toSpliced(1, 0, ...prof) }),
  'node:net': () => nodeServer('node:net raw', 'http-net.mjs', { nodeArgs: prof }),
}
for (const app of ['http', 'express']) {
  for (const transport of ['ringpoll', 'net']) {
    known[`${app}-${transport}`] = () => nodeServer(`${app === 'http' ? 'node:http' : 'Express'} on ${transport === 'net' ? 'node:net' : 'ringpoll'}`, 'http-server.mjs', { args: ['--transport', transport, '--app', app], nodeArgs: prof })
  }
}
for (const v of ['direct', 'nested', 'callback', 'js']) known[`floor-${v}`] = () => floorServer(`floor ${v}`, v, { nodeArgs: prof })
const names = args.contenders.split(',')
for (const n of names) if (!known[n]) throw new Error(`--contenders: ${n} is not one of ${Object.keys(known).join(', ')}`)
watchdog(names.length * (seconds + 30))

const dir = args.keep ?? mkdtempSync(join(tmpdir(), 'ringpoll-profile-'))
mkdirSync(dir, { recursive: true })
const perfReport = (file, sort, limit = 0.5, extra = []) =>
  execFileSync('perf', ['report', '-i', file, '--no-children', '--sort', sort, '--stdio', '-g', 'none', '--percent-limit', String(limit), ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 })
    .split('\n').filter((l) => /^\s+\d/.test(l)).map((l) => l.trim())
const byKind = [] // per contender: its name and µs per request of each kind of work

for (const name of names) {
  const contender = known[name]()
  if (contender.unavailable) {
    console.log(`## ${contender.name}: not available (${contender.unavailable})\n`)
    continue
  }
  const server = await startServer(contender)
  const options = (s) => ({ port: server.port, connections, pipelining, seconds: s, body: 'hello world\n' })
  await drive(options(0.5))
  const file = join(dir, `${name.replace(/[^\w.-]/g, '_')}.data`)
  const perf = spawn('perf', ['record', '-e', 'cpu-clock', '-g', '-q', '-o', file, '-p', String(server.pid), '--', 'sleep', String(seconds)], { stdio: 'ignore' })
  const recorded = new Promise((resolve) => perf.once('exit', resolve))
  // The floor counts libuv's loop iterations: requests per wake-up.
  const loops = name.startsWith('floor-') ? () => ask(server, 'loops') : async () => null
  const loopsBefore = await loops()
  const before = cpuSeconds(server.pid)
  const load = await drive(options(seconds))
  const cpuPerRequest = ((cpuSeconds(server.pid) - before) * 1e6) / load.requests
  const loopsAfter = await loops()
  const perWakeup = loopsAfter ? `, ${(load.requests / (loopsAfter.loops - loopsBefore.loops)).toFixed(2)} requests per loop iteration` : ''
  await recorded
  await stopServer(server)
  // The kernel's share: the samples in [kernel.kallsyms] (all of them, no percent limit).
  const dsos = perfReport(file, 'dso', 0)
  const kernel = dsos.filter((l) => l.includes('[kernel.kallsyms]')).reduce((sum, l) => sum + parseFloat(l), 0)
  console.log(`## ${contender.name} (${args.load}: ${load.requests} requests in ${seconds} s, ${cpuPerRequest.toFixed(2)} µs CPU each while profiled${perWakeup})\n`)
  console.log(`kernel ${kernel.toFixed(1)}%, user ${(100 - kernel).toFixed(1)}%; by DSO: ${dsos.slice(0, 5).map((l) => l.replace(/\s+/g, ' ')).join('; ')}`)
  console.log('\n```')
  console.log(perfReport(file, 'sym').slice(0, Number(args.top)).join('\n'))
  console.log('```\n')
  const { counts, total } = samplesByKind(perfReport(file, 'dso,sym', 0, ['-n']))
  byKind.push({ name: contender.name, cpuPerRequest, us: (kind) => (cpuPerRequest * counts[kind]) / total })
}
if (byKind.length > 0) {
  // Self time by kind of work, in µs per request (the profiled run's CPU per request times each
  // kind's share of the samples): what two transports under the same app differ in, and what not.
  console.log('## Self time by kind, µs per request\n')
  console.log(table([{ title: '', align: 'left' }, ...byKind.map((c) => ({ title: c.name }))], [
    ['CPU per request while profiled', ...byKind.map((c) => fmt(c.cpuPerRequest))],
    ...kinds.map((kind) => [kind, ...byKind.map((c) => fmt(c.us(kind)))]),
  ]))
}
if (!args.keep) rmSync(dir, { recursive: true, force: true })
process.exit(0)
