// ringpoll/cluster: does a second worker add CPU per request? A pool of 1 worker and a pool of 2,
// on each backend, alternating round by round, each measurement on a fresh pool, under two loads:
//   - HTTP at a fixed rate (autocannon's overallRate): the same external load for both pools, the
//     one the goal is judged on (2 workers ≤ 1.1× one worker's CPU per request);
//   - echo, closed loop (the compiled echo client, as fast as answered): saturating, shown for
//     what it says about batching (a saturated single worker gets fuller wake-ups).
// Under the HTTP load a control runs too: 2 plain processes, each with one ringpoll server on the
// same port (reusePort), as without ringpoll/cluster; their CPU is summed.
// Figures: requests (messages)/s, the server process's CPU µs per request (all its threads),
// requests per reactor wake-up (from the pool's summed stats()), and the time startWorkers() and
// pool.close() took. On 2 cores the client takes one core, so judge
// CPU per request, not requests/s.
//
//   node bench/cluster.mjs [--rounds 3] [--seconds 3] [--connections 100] [--rate 20000] [--size 1024]
import { parseArgs } from 'node:util'
import { loadAutocannon } from './lib/autocannon.mjs'
import { ringpoll } from './lib/contenders.mjs'
import { echoLoad } from './lib/echo-client.mjs'
import { table } from './lib/markdown.mjs'
import { cpuSeconds } from './lib/proc.mjs'
import { ask, watchdog } from './lib/processes.mjs'
import { RESPONSE } from './servers/response.mjs'
import { alternate } from './lib/rounds.mjs'
import { fmt, fmtRatio, median, ratio } from './lib/stats.mjs'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '100' },
    rate: { type: 'string', default: '20000' },
    size: { type: 'string', default: '1024' },
  },
})
const rounds = Number(args.rounds)
const seconds = Number(args.seconds)
const connections = Number(args.connections)
const rate = Number(args.rate)
// Every worker is an isolate of its own that compiles its JS afresh: a short warm-up measures the
// JIT (its compiler threads count as the server's CPU) once per worker, so 2 workers would pay it
// twice. 2 s of warm-up lets each worker's code reach its optimized tier before the measurement.
const WARMUP = 2
const GOAL = 1.1
const BODY = 'hello world\n'
// Per measurement: pool start, warm-up, the run, the close (15 s is a generous bound for the
// rest); four times the plan ends the bench.
watchdog(2 * rounds * 6 * (seconds + WARMUP + 15) * 4)

/** HTTP at `rate` requests/s: server CPU over the measured run, divided by the requests. */
async function httpAtRate(server) {
  const pids = [server.pid, ...(await ask(server, 'pids'))]
  const serverCpu = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)
  await loadAutocannon({ port: server.port, connections, seconds: WARMUP, body: BODY, overallRate: rate })
  const before = serverCpu()
  const r = await loadAutocannon({ port: server.port, connections, seconds, body: BODY, overallRate: rate })
  const cpu = serverCpu() - before
  if (r.problems.length) throw new Error(r.problems.join(', '))
  return { perSecond: r.requests / seconds, cpuPerRequest: (cpu * 1e6) / r.requests }
}

/** The compiled echo client, closed loop: server CPU over exactly its measured interval. */
async function echoClosedLoop(server) {
  const r = await echoLoad(server, { connections, request: Number(args.size), seconds, warmup: WARMUP })
  return { perSecond: r.messagesPerSecond, cpuPerRequest: (r.cpu * 1e6) / r.messages }
}

const LOADS = [
  { title: `HTTP hello world at ${fmt(rate)} requests/s (autocannon, ${connections} connections)`, kind: 'http', unit: 'req', responseBytes: RESPONSE.length, drive: httpAtRate, judged: true, control: true },
  { title: `${args.size} B echo, closed loop (compiled client, ${connections} connections)`, kind: 'echo', unit: 'msg', responseBytes: Number(args.size), drive: echoClosedLoop, judged: false },
]

const verdicts = []
const failures = []
for (const load of LOADS) {
  const contenders = [
    ...[1, 2].flatMap((workers) =>
      ringpoll('cluster-pool.mjs', { label: `${workers} worker${workers > 1 ? 's' : ''}`, args: [String(workers), load.kind] }).map((c) => ({ ...c, workers })),
    ),
    ...(load.control ? ringpoll('cluster-processes.mjs', { label: '2 processes', args: ['2', load.kind] }).map((c) => ({ ...c, workers: '2 processes', control: true })) : []),
  ]
  const entries = await alternate(contenders, {
    rounds,
    fresh: true,
    measure: async (server) => {
      const before = await ask(server, 'stats')
      const r = await load.drive(server)
      const after = await ask(server, 'stats')
      // How full each wake-up was: responses sent (warm-up included) per reactor wake-up, all workers.
      const perWakeup = (after.bytesWritten - before.bytesWritten) / load.responseBytes / (after.wakeups - before.wakeups)
      return { ...r, perWakeup, ...(await ask(server, 'close')) }
    },
  })
  const medianOf = (entry, key) => median(entry.runs.map((r) => r[key]))
  const one = (backend) => entries.find((e) => e.contender.workers === 1 && e.contender.backend === backend)
  const rows = entries.map((e) => {
    const { workers, backend } = e.contender
    for (const f of e.failures) failures.push(`${load.kind}, ${e.contender.name}: ${f}`)
    if (!e.runs.length) return [backend, workers, e.unavailable ?? 'failed', '–', '–', '–', '–', '–', 0]
    const vsOne = ratio(medianOf(e, 'cpuPerRequest'), medianOf(one(backend), 'cpuPerRequest'))
    if (workers === 2 && !e.contender.control && load.judged && Number.isFinite(vsOne)) {
      verdicts.push(`${backend}: 2 workers' CPU per request is ${fmtRatio(vsOne)} one worker's (goal ≤ ${GOAL}×): ${vsOne <= GOAL ? 'met' : 'MISSED'}`)
    }
    return [backend, workers, fmt(medianOf(e, 'perSecond')), fmt(medianOf(e, 'cpuPerRequest')), fmtRatio(vsOne), fmt(medianOf(e, 'perWakeup')),
      fmt(medianOf(e, 'startMs')), fmt(medianOf(e, 'closeMs')), e.runs.length]
  })
  console.log(`\n## ${load.title}: medians of ${rounds} rounds of ${seconds} s\n`)
  console.log(table(
    [{ title: 'backend', align: 'left' }, { title: 'workers' }, { title: `${load.unit}/s` }, { title: `server CPU µs/${load.unit}` }, { title: 'vs 1 worker' },
      { title: `${load.unit} per wake-up` }, { title: 'start ms' }, { title: 'close ms' }, { title: 'runs' }],
    rows,
  ))
}
console.log()
for (const v of verdicts) console.log(`- ${v}`)
for (const f of failures) console.log(`- failed: ${f}`)
process.exit(failures.length ? 1 : 0)
