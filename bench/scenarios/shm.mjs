// Scenario 6: the shm lane (issue 14). Two processes on one host, both on ringpoll's raw API: a
// server (servers/lane-ringpoll.mjs) and a client (clients/lane-ringpoll.mjs), over the shm lane,
// over the same Unix socket without it, and over TCP loopback, each on both backends; node:net over
// a Unix socket (servers/lane-net.mjs, clients/lane-net.mjs) is the reference row. Round trips at
// 64 B, 4 KB, 64 KB and 1 MB (the client sends a message, the server echoes it, the client waits
// for all of it): latency p50/p99 and CPU per round trip of both processes together; one-way
// streaming of 1 MB messages (the server acknowledges each with a byte): MB/s and CPU per MB.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { measured, startClient } from '../lib/lane.mjs'
import { table } from '../lib/markdown.mjs'
import { benchPath, node } from '../lib/processes.mjs'
import { alternate } from '../lib/rounds.mjs'
import { fmt, fmtRatio, ratio } from '../lib/stats.mjs'
import { find, judged, missingRow, problemLines, summarize } from '../lib/summary.mjs'
import { barChart } from '../lib/svg.mjs'

export const title = 'shm lane'

const MB = 2 ** 20
// Round trips are bounded by count and by volume as well as by time.
const ROUND_TRIPS = [64, 4096, 65536, MB].map((size) => ({ size, key: `rt${size}`, name: sizeName(size), maxCount: Math.min(1e6, Math.ceil(2 ** 34 / size)) }))
const STREAM_MAX_BYTES = 2 ** 36
// The issue's goals against ringpoll over the same Unix socket without the lane: at most this
// ratio of its CPU and p50 latency per round trip, and at least this ratio of its streaming MB/s.
const GOALS = { 64: 1, 4096: 0.5, 65536: 0.35, [MB]: 0.35 }
const STREAM_GOAL = 2.5
const BACKENDS = ['io_uring', 'epoll']
const TRANSPORT_NAME = { shm: 'shm', unix: 'UDS', tcp: 'TCP' }

function sizeName(size) {
  return size >= MB ? `${size / MB} MB` : size >= 1024 ? `${size / 1024} KB` : `${size} B`
}

const ringpollName = (transport, backend) => `ringpoll over ${TRANSPORT_NAME[transport]} (${backend})`
const NET = 'node:net over UDS'
/** The row each row is compared with: ringpoll over the Unix socket on the same backend (node:net: io_uring's). */
const referenceOf = (contender) => ringpollName('unix', contender.backend ?? 'io_uring')

/** Every contender: a server and a client command, on a Unix socket of its own in `dir` or on TCP. */
export function contenders(dir) {
  const list = []
  for (const transport of ['shm', 'unix', 'tcp']) {
    for (const backend of BACKENDS) {
      const where = transport === 'tcp' ? '0' : join(dir, `${transport}-${backend}.sock`)
      list.push({
        name: ringpollName(transport, backend),
        backend,
        transport,
        where,
        command: [node, benchPath('servers/lane-ringpoll.mjs'), transport, where],
        client: benchPath('clients/lane-ringpoll.mjs'),
        env: { RINGPOLL_BACKEND: backend },
      })
    }
  }
  const where = join(dir, 'net.sock')
  list.push({ name: NET, transport: 'unix', where, command: [node, benchPath('servers/lane-net.mjs'), 'unix', where], client: benchPath('clients/lane-net.mjs'), env: {} })
  return list
}

/** Every load once, `seconds` each: round trips at each size, then streaming. */
export async function loads(server, seconds) {
  const figures = {}
  for (const { size, key, maxCount } of ROUND_TRIPS) {
    const r = await measured(server, `roundtrips ${size} ${maxCount} ${seconds}`, seconds)
    Object.assign(figures, {
      [`${key}Rate`]: r.count / r.seconds,
      [`${key}P50`]: r.p50,
      [`${key}P99`]: r.p99,
      [`${key}Cpu`]: (r.cpu * 1e6) / r.count,
      [`${key}ServerShare`]: r.serverCpu / r.cpu,
    })
  }
  const s = await measured(server, `stream ${STREAM_MAX_BYTES} ${seconds}`, seconds)
  const mb = s.bytes / MB
  return { ...figures, streamMbps: mb / s.seconds, streamCpu: (s.cpu * 1e3) / mb, streamServerShare: s.serverCpu / s.cpu }
}

export async function run({ rounds, seconds, warmup }) {
  const dir = mkdtempSync(join(tmpdir(), 'ringpoll-shm-bench-'))
  try {
    const list = contenders(dir)
    const entries = await alternate(list, {
      rounds,
      warmup: async (server, contender) => {
        server.client = await startClient(server, contender)
        await loads(server, warmup)
      },
      measure: (server) => loads(server, seconds),
    })
    return render(list, summarize(entries))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function render(list, summaries) {
  const goals = []
  const vs = (s, field) => ratio(s[field], find(summaries, referenceOf(list.find((c) => c.name === s.name)))?.[field])

  const rtBlocks = ROUND_TRIPS.map(({ size, key, name }) => {
    const goal = GOALS[size]
    const rows = summaries.map((s) => {
      const contender = list.find((c) => c.name === s.name)
      const isShm = contender.transport === 'shm'
      const cpuVs = vs(s, `${key}Cpu`)
      const p50Vs = vs(s, `${key}P50`)
      if (isShm) {
        const cpu = judged(cpuVs, goal, true)
        const p50 = judged(p50Vs, goal, true)
        const met = cpu.met === null || p50.met === null ? null : cpu.met && p50.met
        goals.push({
          goal: `shm lane, ${name} round trip, ${s.label}: CPU and p50 latency ≤ ${goal}× ${referenceOf(contender)}`,
          measured: s.runs ? `CPU ${fmtRatio(cpuVs)}, p50 ${fmtRatio(p50Vs)}` : '–',
          met: s.runs ? met : null,
        })
      }
      if (!s.runs) return missingRow(s, 10)
      const cell = (r) => (isShm ? judged(r, goal, true).text : fmtRatio(r))
      return [s.label, fmt(s[`${key}Rate`]), fmt(s[`${key}P50`]), fmt(s[`${key}P99`]), fmt(s[`${key}Cpu`]), `${Math.round(s[`${key}ServerShare`] * 100)}%`, cell(p50Vs), fmtRatio(vs(s, `${key}P99`)), cell(cpuVs), s.runs]
    })
    const columns = [
      { title: 'contender', align: 'left' }, { title: 'round trips/s' }, { title: 'p50 µs' }, { title: 'p99 µs' },
      { title: 'CPU µs/round trip' }, { title: 'server share' }, { title: 'p50 vs UDS' }, { title: 'p99 vs UDS' }, { title: 'CPU vs UDS' }, { title: 'rounds' },
    ]
    return `### Round trips, ${name}\n\n${table(columns, rows)}\n`
  })

  const streamRows = summaries.map((s) => {
    const contender = list.find((c) => c.name === s.name)
    const mbpsVs = vs(s, 'streamMbps')
    if (contender.transport === 'shm') {
      const j = judged(mbpsVs, STREAM_GOAL, false)
      goals.push({ goal: `shm lane, streaming 1 MB messages, ${s.label}: MB/s ≥ ${STREAM_GOAL}× ${referenceOf(contender)}`, measured: s.runs ? fmtRatio(mbpsVs) : '–', met: s.runs ? j.met : null })
    }
    if (!s.runs) return missingRow(s, 7)
    const mbpsCell = contender.transport === 'shm' ? judged(mbpsVs, STREAM_GOAL, false).text : fmtRatio(mbpsVs)
    return [s.label, fmt(s.streamMbps), fmt(s.streamCpu), `${Math.round(s.streamServerShare * 100)}%`, mbpsCell, fmtRatio(vs(s, 'streamCpu')), s.runs]
  })
  const streamColumns = [
    { title: 'contender', align: 'left' }, { title: 'MB/s' }, { title: 'CPU ms/MB' }, { title: 'server share' },
    { title: 'MB/s vs UDS' }, { title: 'CPU/MB vs UDS' }, { title: 'rounds' },
  ]
  const streamBlock = `### Streaming 1 MB messages, one way\n\n${table(streamColumns, streamRows)}\n`

  const series = (fields) => summaries.map((s) => ({ name: s.label, values: fields.map((f) => vs(s, f)) }))
  const cpuChart = barChart({
    title: 'shm lane: CPU of both processes, ÷ ringpoll over UDS on the same backend (lower is better)',
    unit: '× ringpoll over UDS',
    groups: [...ROUND_TRIPS.map((l) => `${l.name} round trip`), '1 MB streamed'],
    series: series([...ROUND_TRIPS.map((l) => `${l.key}Cpu`), 'streamCpu']),
  })
  const latencyChart = barChart({
    title: 'shm lane: p50 round-trip latency, ÷ ringpoll over UDS on the same backend (lower is better)',
    unit: '× ringpoll over UDS',
    groups: ROUND_TRIPS.map((l) => l.name),
    series: series(ROUND_TRIPS.map((l) => `${l.key}P50`)),
  })
  return {
    about: `Two processes on one host, a server and a client, both on ringpoll's raw API (node:net's pair is the reference row). A round trip: the client sends one message, the server writes back what arrives as it arrives, the client waits for the whole message (its first and last bytes carry a tag that changes each time) before the next; each size is bounded by time (the round's seconds), count and volume. Streaming: the client writes 1 MB messages for the round's seconds, waiting for \`onDrain\` whenever \`write()\` returns false (default \`highWaterMark\`, 1 MiB), and the server answers each whole message with a byte; MB/s runs to the last acknowledgement. CPU is user + system time of both processes over each load (\`/proc/<pid>/stat\`), "server share" the server's part of it. Ratios and goals are against ringpoll over the same kind of Unix socket without the lane, on the same backend (node:net's against io_uring's); the goals are issue 14's.`,
    markdown: `${rtBlocks.join('\n')}\n${streamBlock}${problemLines(summaries)}`,
    charts: [{ name: 'shm-cpu', svg: cpuChart }, { name: 'shm-latency', svg: latencyChart }],
    goals,
  }
}
