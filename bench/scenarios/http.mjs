// Scenario 1: HTTP/1.1 keep-alive hello world. ringpoll's raw API on each backend, node:http on
// ringpoll and on node:net, a raw responder on node:net and the C epoll reference, loaded by
// autocannon (and wrk when installed) at 10, 100 and 1,000 connections, with and without
// pipelining. Figures: requests/s, p50/p99 latency, server CPU µs per request (from the server
// process's own CPU time over the run), server RSS after the run.
import { loadAutocannon } from '../lib/autocannon.mjs'
import { cServer, nodeServer, ringpoll } from '../lib/contenders.mjs'
import { table } from '../lib/markdown.mjs'
import { cpuSeconds, rssBytes } from '../lib/proc.mjs'
import { alternate } from '../lib/rounds.mjs'
import { fmt, fmtRatio, ratio } from '../lib/stats.mjs'
import { find, judged, missingRow, problemLines, summarize } from '../lib/summary.mjs'
import { barChart } from '../lib/svg.mjs'
import { hasWrk, loadWrk } from '../lib/wrk.mjs'

export const title = 'HTTP/1.1 hello world'
export const about = 'Keep-alive requests answered with the same 87-byte response by every server. Server CPU per request is the figure to read first: on 2 cores the client competes with the server, and autocannon (one JS thread) often saturates before the server does. autocannon gives latency in whole milliseconds; wrk gives none with pipelining. Fresh servers for every load, warmed up for 0.5 s before its rounds.'

const BODY = 'hello world\n'
const C = 'C epoll reference'
const NET_RAW = 'node:net raw responder'
const RAW = 'ringpoll raw API'
const GOAL_VS_C = 1.1
const GOAL_VS_NET = 0.6

function loads(quick) {
  const grid = (tool, connections, depths) => connections.flatMap((c) => depths.map((pipelining) => ({ tool, connections: c, pipelining })))
  if (quick) return grid('autocannon', [100], [1, 10])
  return [
    ...grid('autocannon', [10, 100, 1000], [1, 10]),
    // wrk saturates the server where autocannon (one JS thread) saturates first; a shorter grid
    // keeps the suite within its time.
    ...(hasWrk ? [...grid('wrk', [100, 1000], [1]), ...grid('wrk', [100], [10])] : []),
  ]
}

const loadName = (l) => `${l.connections} connections${l.pipelining > 1 ? `, pipelining ${l.pipelining}` : ''}, ${l.tool}`
const shortName = (l) => `${l.connections}c${l.pipelining > 1 ? ` p${l.pipelining}` : ''} ${l.tool === 'wrk' ? 'wrk' : 'ac'}`

export async function run({ quick, rounds, seconds, warmup }) {
  const contenders = [
    ...ringpoll('http-ringpoll.mjs', { label: RAW }),
    nodeServer('node:http on ringpoll', 'http-server.mjs', { args: ['--transport', 'ringpoll'] }),
    nodeServer('node:http on node:net', 'http-server.mjs', { args: ['--transport', 'net'] }),
    nodeServer(NET_RAW, 'http-net.mjs'),
    cServer(C, 'http_epoll'),
  ]
  const series = []
  for (const load of loads(quick)) {
    const drive = load.tool === 'wrk' ? loadWrk : loadAutocannon
    const options = (server, s) => ({ port: server.port, connections: load.connections, pipelining: load.pipelining, seconds: s, body: BODY })
    const entries = await alternate(contenders, {
      rounds,
      warmup: (server) => drive(options(server, warmup)),
      measure: async (server) => {
        const cpuBefore = cpuSeconds(server.pid)
        const started = performance.now()
        const r = await drive(options(server, seconds))
        const elapsed = (performance.now() - started) / 1000
        const cpu = cpuSeconds(server.pid) - cpuBefore
        return { ...r, rps: r.requests / elapsed, cpuPerRequest: (cpu * 1e6) / r.requests, rss: rssBytes(server.pid) }
      },
    })
    series.push({ load, summaries: summarize(entries) })
  }
  return render(series, contenders)
}

function render(series, contenders) {
  const goals = []
  const blocks = []
  for (const { load, summaries } of series) {
    const c = find(summaries, C)?.cpuPerRequest
    const net = find(summaries, NET_RAW)?.cpuPerRequest
    const rows = summaries.map((s) => {
      if (!s.runs) return missingRow(s, 9)
      const vsC = ratio(s.cpuPerRequest, c)
      const vsNet = ratio(s.cpuPerRequest, net)
      const raw = s.name.startsWith(RAW)
      const judgedC = judged(vsC, GOAL_VS_C, true)
      const judgedNet = judged(vsNet, GOAL_VS_NET, true)
      if (raw) goals.push({ load, name: s.label, vsC: judgedC, vsNet: judgedNet })
      return [
        s.label, fmt(s.rps), fmt(s.p50), fmt(s.p99), fmt(s.cpuPerRequest),
        raw ? judgedC.text : fmtRatio(vsC), raw ? judgedNet.text : fmtRatio(vsNet),
        fmt(s.rss / 2 ** 20), s.runs,
      ]
    })
    const columns = [
      { title: 'server', align: 'left' }, { title: 'req/s' }, { title: 'p50 ms' }, { title: 'p99 ms' },
      { title: 'server CPU µs/req' }, { title: 'CPU vs C' }, { title: 'CPU vs node:net raw' }, { title: 'RSS MB' }, { title: 'rounds' },
    ]
    blocks.push(`### ${loadName(load)}\n\n${table(columns, rows)}\n${problemLines(summaries)}`)
  }
  const chart = barChart({
    title: 'HTTP hello world: server CPU per request (lower is better)',
    unit: 'server CPU µs per request',
    groups: series.map((s) => shortName(s.load)),
    series: contenders.map((contender) => ({
      name: series.map((s) => find(s.summaries, contender.name)).find((s) => s?.runs)?.label ?? `${contender.name} (no figures)`,
      values: series.map((s) => find(s.summaries, contender.name)?.cpuPerRequest ?? NaN),
    })),
  })
  return {
    markdown: `${blocks.join('\n')}`,
    charts: [{ name: 'http', svg: chart }],
    goals: summarizeGoals(goals),
  }
}

/** One line per goal and backend: the canonical load (100 connections, autocannon, no pipelining) and the count of loads met. */
function summarizeGoals(goals) {
  const byName = groupBy(goals, (g) => g.name)
  const lines = []
  for (const [name, list] of byName) {
    const canonical = list.find((g) => g.load.connections === 100 && g.load.pipelining === 1 && g.load.tool === 'autocannon') ?? list[0]
    for (const [key, text] of [['vsC', `server CPU/request ≤ ${GOAL_VS_C}× the C reference`], ['vsNet', `server CPU/request ≤ ${GOAL_VS_NET}× node:net raw`]]) {
      const judgedLoads = list.filter((g) => g[key].met !== null)
      const met = judgedLoads.filter((g) => g[key].met).length
      lines.push({
        goal: `HTTP hello world, ${name}: ${text}`,
        measured: `${canonical[key].text.replace(/ \(goal.*/, '')} at ${loadName(canonical.load)}; met at ${met} of ${judgedLoads.length} loads`,
        met: canonical[key].met,
      })
    }
  }
  return lines
}

function groupBy(list, key) {
  const map = new Map()
  for (const x of list) map.set(key(x), [...(map.get(key(x)) ?? []), x])
  return map
}
