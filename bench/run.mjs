// The benchmark suite: `npm run bench` runs every scenario and writes bench/RESULTS.md and an SVG
// chart per scenario in bench/results/. Each scenario runs its contenders side by side, alternating
// round by round, and reports medians and ratios to the reference; the goals are judged at the top.
//
// A run of some scenarios (--only) rewrites their sections of RESULTS.md and keeps the others.
//
//   node bench/run.mjs [--quick] [--only http,echo,writev,idle,close-latency,shm] [--rounds N] [--seconds S]
//                      [--loads ac10,ac100,ac1000,ac100p10,wrk100,wrk1000,...]   (the HTTP scenario's loads)
//                      [--contenders node:http,express,...]   (the HTTP scenario's contenders whose names
//                                                              contain one of these, case-insensitive)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release } from 'node:os'
import { parseArgs } from 'node:util'
import { benchPath, watchdog } from './lib/processes.mjs'
import { parseResults, resultsMarkdown } from './lib/results.mjs'

const SCENARIOS = ['http', 'echo', 'writev', 'idle', 'close-latency', 'shm']

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: SCENARIOS.join(',') },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    loads: { type: 'string' },
    contenders: { type: 'string' },
  },
})
const only = args.only.split(',')
for (const name of only) if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${name} (${SCENARIOS.join(', ')})`)
const defaults = args.quick ? { rounds: 1, seconds: 0.5, warmup: 0.25 } : { rounds: 3, seconds: 1, warmup: 0.5 }
const options = {
  quick: args.quick,
  rounds: Number(args.rounds ?? defaults.rounds),
  seconds: Number(args.seconds ?? defaults.seconds), // one measured load
  warmup: defaults.warmup, // once per server, not measured: JIT, socket buffers
  loads: args.loads?.split(','),
  contenders: args.contenders?.split(','),
}
if (!(Number.isInteger(options.rounds) && options.rounds >= 1)) throw new Error('--rounds takes an integer >= 1')
if (!(options.seconds > 0)) throw new Error('--seconds takes a positive number')
// The full suite takes about 10 minutes and --quick under two, scaling with rounds and seconds;
// a run past four times its plan hangs somewhere.
const planned = (args.quick ? 120 : 660) * (options.rounds / defaults.rounds) * Math.max(1, options.seconds / defaults.seconds)
watchdog(4 * planned)

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')
const startLoad = load()
const started = Date.now()
const sections = []
for (const name of SCENARIOS.filter((s) => only.includes(s))) {
  const scenario = await import(`./scenarios/${name}.mjs`)
  console.log(`bench: ${scenario.title}...`)
  const t0 = Date.now()
  const result = await scenario.run(options)
  console.log(`bench: ${scenario.title}: ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  sections.push({ name, title: scenario.title, about: scenario.about, ...result })
}

mkdirSync(benchPath('results'), { recursive: true })
for (const { charts } of sections) {
  for (const chart of charts) writeFileSync(benchPath(`results/${chart.name}.svg`), chart.svg)
}
const command = `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim()
const date = new Date().toISOString().slice(0, 16).replace('T', ' ')
const conditions = `${options.rounds} alternating round(s) of ${options.seconds} s per load, medians shown; load average
${startLoad} at the start and ${load()} at the end (${((Date.now() - started) / 1000).toFixed(0)} s in all)`
const file = benchPath('RESULTS.md')
const before = sections.length < SCENARIOS.length && existsSync(file) ? readFileSync(file, 'utf8') : ''
const previous = parseResults(before)
const header = previous
  ? before.slice(0, before.indexOf('\n## Goals\n'))
  : `# Benchmark results

Written by \`${command}\` on ${date} UTC:
${cpus().length} cores (${cpus()[0]?.model.trim()}), Linux ${release()}, Node ${process.version};
${conditions}.
The machine is shared with other work, so compare the contenders with one another within a table,
not with figures from other runs. How each figure is taken: [README.md](README.md).
`
const scenarios = []
for (const name of SCENARIOS) scenarios.push({ name, ...(await import(`./scenarios/${name}.mjs`)) })
const markdown = resultsMarkdown({
  header,
  scenarios,
  sections,
  previous,
  provenance: `From another run than the one described at the top: \`${command}\` on ${date} UTC, ${conditions.replace('\n', ' ')}.`,
})
writeFileSync(file, markdown)
console.log(markdown)
