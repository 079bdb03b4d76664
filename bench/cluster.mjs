// ringpoll/cluster: does a second worker add CPU per message? The same external load (the
// compiled echo client: 1 KB messages, closed loop) against a pool of 1 worker and a pool of 2,
// on each backend, alternating round by round; each measurement starts a fresh pool. Figures:
// messages/s, the server process's CPU µs per message (all threads), and the time startWorkers()
// and pool.close() took. On 2 cores the client takes one, so judge CPU per message, not messages/s.
//
//   node bench/cluster.mjs [--rounds 3] [--seconds 2] [--connections 100] [--size 1024]
import { parseArgs } from 'node:util'
import { ringpoll } from './lib/contenders.mjs'
import { echoLoad } from './lib/echo-client.mjs'
import { table } from './lib/markdown.mjs'
import { ask, watchdog } from './lib/processes.mjs'
import { alternate } from './lib/rounds.mjs'
import { fmt, fmtRatio, median, ratio } from './lib/stats.mjs'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '100' },
    size: { type: 'string', default: '1024' },
  },
})
const rounds = Number(args.rounds)
const seconds = Number(args.seconds)
const load = { connections: Number(args.connections), request: Number(args.size) }
const WARMUP = 0.5
const GOAL = 1.1
// Per measurement: pool start, warm-up, the run, the close; four times that bounds the bench.
watchdog(rounds * 4 * (seconds + WARMUP + 15) * 4)

const contenders = [1, 2].flatMap((workers) =>
  ringpoll('cluster-echo.mjs', { label: `${workers} worker${workers > 1 ? 's' : ''}`, args: [String(workers)] }).map((c) => ({ ...c, workers })),
)
const entries = await alternate(contenders, {
  rounds,
  fresh: true,
  measure: async (server) => {
    const r = await echoLoad(server, { ...load, seconds, warmup: WARMUP })
    const times = await ask(server, 'close')
    return { ...r, ...times, cpuPerMessage: (r.cpu * 1e6) / r.messages }
  },
})

const medianOf = (entry, key) => median(entry.runs.map((r) => r[key]))
const find = (workers, backend) => entries.find((e) => e.contender.workers === workers && e.contender.backend === backend)
const verdicts = []
const rows = entries.map((e) => {
  const { workers, backend } = e.contender
  const one = find(1, backend)
  const vsOne = ratio(medianOf(e, 'cpuPerMessage'), medianOf(one, 'cpuPerMessage'))
  if (workers === 2 && Number.isFinite(vsOne)) verdicts.push(`${backend}: 2 workers' CPU per message is ${fmtRatio(vsOne)} one worker's (goal ≤ ${GOAL}×): ${vsOne <= GOAL ? 'met' : 'MISSED'}`)
  if (!e.runs.length) return [backend, workers, e.unavailable ?? e.failures.join('; '), '–', '–', '–', '–', 0]
  return [backend, workers, fmt(medianOf(e, 'messagesPerSecond')), fmt(medianOf(e, 'cpuPerMessage')), workers === 1 ? '1.00×' : fmtRatio(vsOne),
    fmt(medianOf(e, 'startMs')), fmt(medianOf(e, 'closeMs')), e.runs.length]
})

console.log(`\n## ringpoll/cluster: ${load.request} B echo, ${load.connections} connections (medians of ${rounds} rounds of ${seconds} s)\n`)
console.log(table(
  [{ title: 'backend', align: 'left' }, { title: 'workers' }, { title: 'messages/s' }, { title: 'server CPU µs/msg' }, { title: 'vs 1 worker' },
    { title: 'startWorkers() ms' }, { title: 'close() ms' }, { title: 'runs' }],
  rows,
))
console.log()
for (const v of verdicts) console.log(`- ${v}`)
for (const e of entries) for (const f of e.failures) console.log(`- ${e.contender.name}: ${f}`)
process.exit(entries.some((e) => e.failures.length) ? 1 : 0)
