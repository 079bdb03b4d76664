// Scenario 6: the shm lane (issue 14). Two processes on one host, both on ringpoll's raw API: a
// server (servers/lane-ringpoll.mjs) and a client (clients/lane-ringpoll.mjs), over the shm lane,
// over the same Unix socket without it, and over TCP loopback, each on both backends; node:net over
// a Unix socket (servers/lane-net.mjs, clients/lane-net.mjs) is the reference row. Round trips at
// 64 B, 4 KB, 64 KB and 1 MB (the client sends a message, the server echoes it, the client waits
// for all of it): latency p50/p99 and CPU per round trip of both processes together; one-way
// streaming of 1 MB messages (the server acknowledges each with a byte): MB/s and CPU per MB. Each
// load has fresh processes and alternates the contenders round by round, the lane next to the
// Unix socket on the same backend, so that a neighbour's burst on the shared machine (or what an
// earlier load left behind) weighs on both alike.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
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
const STREAM = { key: 'stream', name: '1 MB streamed' }
const STREAM_MAX_BYTES = 2 ** 36
// The goals against ringpoll over the same Unix socket without the lane: at most this
// ratio of its CPU and p50 latency per round trip, and at least this ratio of its streaming MB/s.
const GOALS = { 64: 1, 4096: 0.5, 65536: 0.35, [MB]: 0.35 }
const STREAM_GOAL = 2.5
const BACKENDS = ['io_uring', 'epoll']
const TRANSPORT_NAME = { shm: 'shm', unix: 'UDS', tcp: 'TCP' }

const percent = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–')

function sizeName(size) {
  return size >= MB ? `${size / MB} MB` : size >= 1024 ? `${size / 1024} KB` : `${size} B`
}

const ringpollName = (transport, backend) => `ringpoll over ${TRANSPORT_NAME[transport]} (${backend})`
const NET = 'node:net over UDS'
/** The row each row is compared with: ringpoll over the Unix socket on the same backend (node:net: io_uring's). */
const referenceOf = (contender) => ringpollName('unix', contender.backend ?? 'io_uring')

/**
 * Every contender: a server and a client command, on a Unix socket of its own in `dir` or on TCP.
 * In the order they are measured: the lane and the Unix socket on each backend, TCP, node:net.
 */
export function contenders(dir) {
  const ringpoll = (transport, backend) => {
    const where = transport === 'tcp' ? '0' : join(dir, `${transport}-${backend}.sock`)
    return {
      name: ringpollName(transport, backend),
      backend,
      transport,
      where,
      command: [node, benchPath('servers/lane-ringpoll.mjs'), transport, where],
      client: benchPath('clients/lane-ringpoll.mjs'),
      env: { RINGPOLL_BACKEND: backend },
    }
  }
  const where = join(dir, 'net.sock')
  return [
    ...BACKENDS.flatMap((backend) => [ringpoll('shm', backend), ringpoll('unix', backend)]),
    ...BACKENDS.map((backend) => ringpoll('tcp', backend)),
    { name: NET, transport: 'unix', where, command: [node, benchPath('servers/lane-net.mjs'), 'unix', where], client: benchPath('clients/lane-net.mjs'), env: {} },
  ]
}

/** One round-trip load for `seconds`: round trips/s, p50/p99 µs, CPU µs per round trip, the server's share of it. */
export async function roundTrips(server, { size, maxCount }, seconds) {
  const r = await measured(server, `roundtrips ${size} ${maxCount} ${seconds}`, seconds)
  return { rate: r.count / r.seconds, p50: r.p50, p99: r.p99, cpu: (r.cpu * 1e6) / r.count, serverShare: r.serverCpu / r.cpu }
}

/** Streaming for `seconds`: MB/s, CPU ms per MB, the server's share of it. */
export async function stream(server, seconds) {
  const s = await measured(server, `stream ${STREAM_MAX_BYTES} ${seconds}`, seconds)
  const mb = s.bytes / MB
  return { mbps: mb / s.seconds, cpu: (s.cpu * 1e3) / mb, serverShare: s.serverCpu / s.cpu }
}

export async function run({ rounds, seconds, warmup }) {
  const dir = mkdtempSync(join(tmpdir(), 'ringpoll-shm-bench-'))
  try {
    const results = {}
    let list
    for (const load of [...ROUND_TRIPS, STREAM]) {
      // Fresh servers for every load, on fresh socket paths.
      mkdirSync(join(dir, load.key))
      list = contenders(join(dir, load.key))
      const once = (server, s) => (load === STREAM ? stream(server, s) : roundTrips(server, load, s))
      const entries = await alternate(list, {
        rounds,
        warmup: async (server, contender) => {
          server.client = await startClient(server, contender)
          await once(server, warmup)
        },
        measure: (server) => once(server, seconds),
      })
      results[load.key] = summarize(entries)
    }
    return render(list, results)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function render(list, results) {
  const goals = []
  const contenderOf = (s) => list.find((c) => c.name === s.name)
  /** `field` of summary `s` over the same field of its reference row, in the same load. */
  const vs = (summaries, s, field) => ratio(s[field], find(summaries, referenceOf(contenderOf(s)))?.[field])

  const rtBlocks = ROUND_TRIPS.map(({ size, key, name }) => {
    const goal = GOALS[size]
    const summaries = results[key]
    const rows = summaries.map((s) => {
      const contender = contenderOf(s)
      const isShm = contender.transport === 'shm'
      const cpuVs = vs(summaries, s, 'cpu')
      const p50Vs = vs(summaries, s, 'p50')
      if (isShm) {
        const cpu = judged(cpuVs, goal, true)
        const p50 = judged(p50Vs, goal, true)
        goals.push({
          goal: `shm lane, ${name} round trip, ${s.label}: CPU and p50 latency ≤ ${goal}× ${referenceOf(contender)}`,
          measured: s.runs ? `CPU ${fmtRatio(cpuVs)}, p50 ${fmtRatio(p50Vs)}` : '–',
          met: s.runs && cpu.met !== null && p50.met !== null ? cpu.met && p50.met : null,
        })
      }
      if (!s.runs) return missingRow(s, 10)
      const cell = (r) => (isShm ? judged(r, goal, true).text : fmtRatio(r))
      return [s.label, fmt(s.rate), fmt(s.p50), fmt(s.p99), fmt(s.cpu), percent(s.serverShare), cell(p50Vs), fmtRatio(vs(summaries, s, 'p99')), cell(cpuVs), s.runs]
    })
    const columns = [
      { title: 'contender', align: 'left' }, { title: 'round trips/s' }, { title: 'p50 µs' }, { title: 'p99 µs' },
      { title: 'CPU µs/round trip' }, { title: 'server share' }, { title: 'p50 vs UDS' }, { title: 'p99 vs UDS' }, { title: 'CPU vs UDS' }, { title: 'rounds' },
    ]
    return `### Round trips, ${name}\n\n${table(columns, rows)}\n${problemLines(summaries)}`
  })

  const streamed = results[STREAM.key]
  const streamRows = streamed.map((s) => {
    const contender = contenderOf(s)
    const mbpsVs = vs(streamed, s, 'mbps')
    const j = judged(mbpsVs, STREAM_GOAL, false)
    if (contender.transport === 'shm') {
      goals.push({ goal: `shm lane, streaming 1 MB messages, ${s.label}: MB/s ≥ ${STREAM_GOAL}× ${referenceOf(contender)}`, measured: s.runs ? fmtRatio(mbpsVs) : '–', met: s.runs ? j.met : null })
    }
    if (!s.runs) return missingRow(s, 7)
    return [s.label, fmt(s.mbps), fmt(s.cpu), percent(s.serverShare), contender.transport === 'shm' ? j.text : fmtRatio(mbpsVs), fmtRatio(vs(streamed, s, 'cpu')), s.runs]
  })
  const streamColumns = [
    { title: 'contender', align: 'left' }, { title: 'MB/s' }, { title: 'CPU ms/MB' }, { title: 'server share' },
    { title: 'MB/s vs UDS' }, { title: 'CPU/MB vs UDS' }, { title: 'rounds' },
  ]
  const streamBlock = `### Streaming 1 MB messages, one way\n\n${table(streamColumns, streamRows)}\n${problemLines(streamed)}`

  const series = (loads, field) => list.map((c) => ({
    name: c.name,
    values: loads.map((l) => {
      const s = find(results[l.key], c.name)
      return s ? vs(results[l.key], s, field) : NaN
    }),
  }))
  const cpuChart = barChart({
    title: 'shm lane: CPU of both processes ÷ ringpoll over UDS on the same backend (lower is better)',
    unit: '× ringpoll over UDS',
    groups: [...ROUND_TRIPS.map((l) => `${l.name} round trip`), STREAM.name],
    series: series([...ROUND_TRIPS, STREAM], 'cpu'),
  })
  const latencyChart = barChart({
    title: 'shm lane: p50 round-trip latency ÷ ringpoll over UDS on the same backend (lower is better)',
    unit: '× ringpoll over UDS',
    groups: ROUND_TRIPS.map((l) => l.name),
    series: series(ROUND_TRIPS, 'p50'),
  })
  return {
    about: `Two processes on one host, a server and a client, both on ringpoll's raw API (node:net's pair is the reference row). A round trip: the client sends one message, the server writes back what arrives as it arrives, the client waits for the whole message (its first and last bytes carry a tag that changes each time) before the next; each size is bounded by time (the round's seconds), count and volume. Streaming: the client writes 1 MB messages for the round's seconds, waiting for \`onDrain\` whenever \`write()\` returns false (default \`highWaterMark\`, 1 MiB), and the server answers each whole message with a byte; MB/s runs to the last acknowledgement. Every load starts fresh processes, warms them up, and alternates the contenders round by round. CPU is user + system time of both processes over each load (\`/proc/<pid>/stat\`), "server share" the server's part of it. Ratios and goals are against ringpoll over the same kind of Unix socket without the lane, on the same backend (node:net's against io_uring's); the goals are issue 14's.`,
    markdown: `${rtBlocks.join('\n')}\n${streamBlock}`,
    charts: [{ name: 'shm-cpu', svg: cpuChart }, { name: 'shm-latency', svg: latencyChart }],
    goals,
  }
}
