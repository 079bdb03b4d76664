// Scenario 3: vectored writes. Each 16-byte request is answered with 16 segments of 1 KB, or 64
// of 256 B: conn.writev() on ringpoll against cork/write/uncork and a direct _writev on node:net,
// loaded by the compiled client at 100 connections. Figures: MB/s, server CPU per MB, and, in a
// separate short run under strace, system calls per response.
import { nodeServer, ringpoll } from '../lib/contenders.mjs'
import { echoLoad } from '../lib/echo-client.mjs'
import { table } from '../lib/markdown.mjs'
import { alternate } from '../lib/rounds.mjs'
import { fmt, fmtRatio, ratio } from '../lib/stats.mjs'
import { countSyscalls, hasStrace } from '../lib/strace.mjs'
import { find, judged, missingRow, problemLines, summarize } from '../lib/summary.mjs'
import { barChart } from '../lib/svg.mjs'

export const title = 'writev'
export const about = 'Each 16-byte request is answered with N segments written in one vectored call; the compiled client of the echo scenario waits for the whole response before its next request (100 connections).'

const SHAPES = [
  { count: 16, size: 1024 },
  { count: 64, size: 256 },
]
const REQUEST_SIZE = 16
const CONNECTIONS = 100
const GOAL = 2
const WRITE_CALLS = ['write', 'writev', 'sendmsg', 'sendto', 'sendmmsg']
const MB = 2 ** 20
const shapeName = (s) => `${s.count} × ${s.size >= 1024 ? `${s.size / 1024} KB` : `${s.size} B`}`

function contendersFor({ count, size }) {
  const args = [String(count), String(size)]
  return [
    ...ringpoll('writev-ringpoll.mjs', { label: 'ringpoll writev', args }),
    nodeServer('node:net cork/write/uncork', 'writev-net.mjs', { args: [...args, '--mode', 'cork'] }),
    nodeServer('node:net _writev', 'writev-net.mjs', { args: [...args, '--mode', '_writev'] }),
  ]
}

export async function run({ quick, rounds, seconds, warmup }) {
  const series = []
  for (const shape of SHAPES) {
    const contenders = contendersFor(shape)
    const response = shape.count * shape.size
    const load = (server, s, w, connections = CONNECTIONS) => echoLoad(server, { connections, request: REQUEST_SIZE, response, seconds: s, warmup: w })
    const entries = await alternate(contenders, {
      rounds,
      warmup: (server) => load(server, warmup, 0),
      measure: async (server) => {
        const r = await load(server, seconds, warmup / 2) // each run's connections are new: a short warm-up
        const mb = (r.messages * response) / MB
        return { ...r, mbPerSecond: mb / r.seconds, cpuMsPerMb: (r.cpu * 1e3) / mb, mbPerCpuSecond: mb / r.cpu }
      },
    })
    // A short run of 10 connections under strace, apart from the measured ones (strace slows the
    // traced process many times over).
    const traced = hasStrace
      ? await alternate(contenders, {
          rounds: 1,
          measure: async (server) => {
            const { result, calls } = await countSyscalls(server, () => load(server, quick ? 0.3 : 0.5, 0, 10))
            return { messages: result.messages, calls }
          },
        })
      : []
    series.push({ shape, contenders, summaries: summarize(entries), traced })
  }
  return render(series)
}

function render(series) {
  const goals = []
  const blocks = series.map(({ shape, summaries, traced }) => {
    const nets = summaries.filter((s) => s.name.startsWith('node:net'))
    // The goal is judged against node:net's better way, whichever it is.
    const bestNet = Math.max(...nets.map((s) => s.mbPerCpuSecond).filter(Number.isFinite))
    const rows = summaries.map((s) => {
      if (!s.runs) return missingRow(s, 8)
      const vsNet = ratio(s.mbPerCpuSecond, bestNet)
      let vsNetText = fmtRatio(vsNet)
      if (s.name.startsWith('ringpoll') && shape.size === 256) {
        const j = judged(vsNet, GOAL, false)
        vsNetText = j.text
        goals.push({ goal: `writev 64 × 256 B, ${s.label}: MB per server CPU second ≥ ${GOAL}× node:net's better way`, measured: fmtRatio(vsNet), met: j.met })
      }
      return [s.label, fmt(s.mbPerSecond), fmt(s.cpuMsPerMb), fmt(s.mbPerCpuSecond), vsNetText, fmt(s.p50), fmt(s.p99), s.runs]
    })
    const columns = [
      { title: 'server', align: 'left' }, { title: 'MB/s' }, { title: 'server CPU ms/MB' }, { title: 'MB per CPU s' },
      { title: 'vs node:net best' }, { title: 'p50 ms' }, { title: 'p99 ms' }, { title: 'rounds' },
    ]
    return `### ${shapeName(shape)} per response\n\n${table(columns, rows)}\n${problemLines(summaries)}\n${syscallTable(traced)}`
  })
  const contenders = series[0].contenders
  const chart = barChart({
    title: 'writev: MB sent per second of server CPU (higher is better)',
    unit: 'MB per server CPU second',
    groups: series.map((s) => shapeName(s.shape)),
    series: contenders.map((contender) => ({
      name: contender.name,
      values: series.map((s) => find(s.summaries, contender.name)?.mbPerCpuSecond ?? NaN),
    })),
  })
  return { markdown: blocks.join('\n'), charts: [{ name: 'writev', svg: chart }], goals }
}

/** System calls per response from the strace run: all of them, the write family, io_uring_enter. */
function syscallTable(traced) {
  if (!traced.length) return 'System calls per response: strace is not installed (`apt-get install strace`).\n'
  const summaries = summarize(traced)
  const rows = traced.map((entry, i) => {
    const s = summaries[i]
    const run = entry.runs[0]
    if (!run) return missingRow(s, 5)
    const per = (n) => fmt(n / run.messages)
    const total = Object.values(run.calls).reduce((a, b) => a + b, 0)
    // Calls seen fewer than once per hundred responses are the process's other business.
    // io_uring submits its sends with io_uring_enter, which also carries receives.
    const writes = WRITE_CALLS.filter((c) => run.calls[c] >= run.messages / 100).map((c) => `${c} ${per(run.calls[c])}`).join(', ') ||
      (run.calls.io_uring_enter ? `none (sends go through io_uring_enter ${per(run.calls.io_uring_enter)})` : 'none')
    const top = Object.entries(run.calls).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([c, n]) => `${c} ${per(n)}`).join(', ')
    return [s.label, run.messages, per(total), writes, top]
  })
  const columns = [{ title: 'server', align: 'left' }, { title: 'responses traced' }, { title: 'syscalls/response' }, { title: 'write calls/response', align: 'left' }, { title: 'most frequent, per response', align: 'left' }]
  return `System calls per response (\`strace -c -f\` attached for a short run at 10 connections):\n\n${table(columns, rows)}\n${problemLines(summaries)}`
}
