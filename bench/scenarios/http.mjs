// Scenario 1: HTTP/1.1 keep-alive hello world. ringpoll's raw API on each backend, node:http on
// ringpoll and on node:net, Express 5 on ringpoll and on node:net, a raw responder on node:net, Bun (Bun.listen and Bun.serve), uWS.js and
// the C epoll reference, loaded by autocannon (and wrk when installed) at 10, 100 and 1,000
// connections, with and without pipelining. Figures: requests/s, p50/p99 latency, server CPU µs per
// request (from the server process's own CPU time over the run), GC time per 100,000 requests for
// the Node servers, server RSS after the run.
import { loadAutocannon } from '../lib/autocannon.mjs'
import { bunServer, cServer, nodeServer, ringpoll, uwsServer } from '../lib/contenders.mjs'
import { table } from '../lib/markdown.mjs'
import { ask } from '../lib/processes.mjs'
import { cpuSeconds, rssBytes } from '../lib/proc.mjs'
import { alternate } from '../lib/rounds.mjs'
import { fmt, fmtRatio, ratio } from '../lib/stats.mjs'
import { find, judged, missingRow, problemLines, summarize } from '../lib/summary.mjs'
import { barChart } from '../lib/svg.mjs'
import { hasWrk, loadWrk } from '../lib/wrk.mjs'

export const title = 'HTTP/1.1 hello world'
export const goalPrefix = 'HTTP hello world' // how its goal rows start
export const about = 'Keep-alive requests answered with the same 87-byte response by every server. Server CPU per request is the figure to read first: on 2 cores the client competes with the server, and autocannon (one JS thread) often saturates before the server does. autocannon gives latency in whole milliseconds; wrk gives none with pipelining. Fresh servers for every load, warmed up for 0.5 s before its rounds.'

const BODY = 'hello world\n'
const C = 'C epoll reference'
const NET_RAW = 'node:net raw responder'
const RAW = 'ringpoll raw API'
const BUN_LISTEN = 'Bun.listen raw responder'
const UWS = 'uWS.js'
const GOAL_VS_C = 1.1
const GOAL_VS_NET = 0.6
const GOAL_VS_PEER = 0.9 // the better of Bun.listen and uWS.js
// #12: an app served by ringpoll/http against the same app on node:net.
const APPS = [
  { app: 'http', ringpoll: 'node:http on ringpoll', net: 'node:http on node:net', goal: 0.7 },
  { app: 'express', ringpoll: 'Express on ringpoll', net: 'Express on node:net', goal: 0.75 },
]

/** A load's name for --loads: ac100, ac100p10, wrk1000. */
const token = (l) => `${l.tool === 'wrk' ? 'wrk' : 'ac'}${l.connections}${l.pipelining > 1 ? `p${l.pipelining}` : ''}`

function loads(quick, only) {
  const all = allLoads(quick)
  if (!only) return all
  const unknown = only.filter((t) => !all.some((l) => token(l) === t))
  if (unknown.length) throw new Error(`--loads: no load ${unknown.join(', ')} here (${all.map(token).join(', ')})`)
  return all.filter((l) => only.includes(token(l)))
}

function allLoads(quick) {
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

/** The contenders named by --contenders (any of the words, case-insensitive), or all. */
function chosen(contenders, words) {
  if (!words) return contenders
  const picked = contenders.filter((c) => words.some((w) => c.name.toLowerCase().includes(w.toLowerCase())))
  if (!picked.length) throw new Error(`--contenders: none of ${words.join(', ')} names a contender (${contenders.map((c) => c.name).join(', ')})`)
  return picked
}

export async function run({ quick, rounds, seconds, warmup, loads: only, contenders: words }) {
  // The Node servers import servers/gc-meter.mjs and answer "gc" with their GC time so far.
  const gc = (contender) => ({ ...contender, gc: true })
  const app = (name, transport, kind) => gc(nodeServer(name, 'http-server.mjs', { args: ['--transport', transport, '--app', kind] }))
  const contenders = chosen([
    ...ringpoll('http-ringpoll.mjs', { label: RAW }).map(gc),
    ...APPS.flatMap((a) => [app(a.ringpoll, 'ringpoll', a.app), app(a.net, 'net', a.app)]),
    gc(nodeServer(NET_RAW, 'http-net.mjs')),
    bunServer(BUN_LISTEN, 'http-bun-listen.mjs'),
    bunServer('Bun.serve', 'http-bun-serve.mjs'),
    gc(uwsServer(UWS)),
    cServer(C, 'http_epoll'),
  ], words)
  const series = []
  for (const load of loads(quick, only)) {
    const drive = load.tool === 'wrk' ? loadWrk : loadAutocannon
    const options = (server, s) => ({ port: server.port, connections: load.connections, pipelining: load.pipelining, seconds: s, body: BODY })
    const entries = await alternate(contenders, {
      rounds,
      warmup: (server) => drive(options(server, warmup)),
      measure: async (server, contender) => {
        const gcBefore = contender.gc ? (await ask(server, 'gc')).gcMs : NaN
        const cpuBefore = cpuSeconds(server.pid)
        const started = performance.now()
        const r = await drive(options(server, seconds))
        const elapsed = (performance.now() - started) / 1000
        const cpu = cpuSeconds(server.pid) - cpuBefore
        const gcMs = contender.gc ? (await ask(server, 'gc')).gcMs - gcBefore : NaN
        return { ...r, rps: r.requests / elapsed, cpuPerRequest: (cpu * 1e6) / r.requests, gcPer100k: (gcMs * 1e5) / r.requests, rss: rssBytes(server.pid) }
      },
    })
    series.push({ load, summaries: summarize(entries) })
  }
  return render(series, contenders)
}

function render(series, contenders) {
  const goals = []
  const appGoals = []
  const blocks = []
  for (const { load, summaries } of series) {
    const c = find(summaries, C)?.cpuPerRequest
    const net = find(summaries, NET_RAW)?.cpuPerRequest
    const peer = Math.min(...[BUN_LISTEN, UWS].map((name) => find(summaries, name)?.cpuPerRequest).filter(Number.isFinite))
    const rows = summaries.map((s) => {
      if (!s.runs) return missingRow(s, 12)
      const served = APPS.find((a) => a.ringpoll === s.name)
      const vsApp = served ? judged(ratio(s.cpuPerRequest, find(summaries, served.net)?.cpuPerRequest), served.goal, true) : undefined
      if (served) appGoals.push({ load, app: served, name: s.label, vsApp, rss: s.rss, netRss: find(summaries, served.net)?.rss })
      const vsC = ratio(s.cpuPerRequest, c)
      const vsNet = ratio(s.cpuPerRequest, net)
      const vsPeer = ratio(s.cpuPerRequest, peer)
      const raw = s.name.startsWith(RAW)
      const judgedC = judged(vsC, GOAL_VS_C, true)
      const judgedNet = judged(vsNet, GOAL_VS_NET, true)
      const judgedPeer = judged(vsPeer, GOAL_VS_PEER, true)
      if (raw) goals.push({ load, name: s.label, vsC: judgedC, vsNet: judgedNet, vsPeer: judgedPeer })
      return [
        s.label, fmt(s.rps), fmt(s.p50), fmt(s.p99), fmt(s.cpuPerRequest),
        raw ? judgedC.text : fmtRatio(vsC), raw ? judgedNet.text : fmtRatio(vsNet), raw ? judgedPeer.text : fmtRatio(vsPeer),
        vsApp ? vsApp.text : '', fmt(s.gcPer100k), fmt(s.rss / 2 ** 20), s.runs,
      ]
    })
    const columns = [
      { title: 'server', align: 'left' }, { title: 'req/s' }, { title: 'p50 ms' }, { title: 'p99 ms' },
      { title: 'server CPU µs/req' }, { title: 'CPU vs C' }, { title: 'CPU vs node:net raw' }, { title: 'CPU vs best of Bun.listen, uWS.js' },
      { title: 'CPU vs the same app on node:net' }, { title: 'GC ms per 100k req' }, { title: 'RSS MB' }, { title: 'rounds' },
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
    goals: [...summarizeGoals(goals), ...summarizeAppGoals(appGoals)],
  }
}

/** One line per goal and backend: the canonical load (100 connections, autocannon, no pipelining) and the count of loads met. */
function summarizeGoals(goals) {
  const byName = groupBy(goals, (g) => g.name)
  const lines = []
  for (const [name, list] of byName) {
    const canonical = list.find((g) => g.load.connections === 100 && g.load.pipelining === 1 && g.load.tool === 'autocannon') ?? list[0]
    for (const [key, text] of [
      ['vsC', `server CPU/request ≤ ${GOAL_VS_C}× the C reference`],
      ['vsNet', `server CPU/request ≤ ${GOAL_VS_NET}× node:net raw`],
      ['vsPeer', `server CPU/request ≤ ${GOAL_VS_PEER}× the better of Bun.listen and uWS.js`],
    ]) {
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

/**
 * #12, one line per app: served by ringpoll/http, its CPU per request against the same app on
 * node:net at every load, and its RSS no higher; the worst load is the one shown.
 */
function summarizeAppGoals(appGoals) {
  const lines = []
  for (const [name, list] of groupBy(appGoals, (g) => g.name)) {
    const judgedLoads = list.filter((g) => g.vsApp.met !== null)
    if (!judgedLoads.length) continue
    const { app } = list[0]
    const worst = judgedLoads.reduce((a, b) => (ratio(b.rss, b.netRss) > ratio(a.rss, a.netRss) ? b : a))
    const slowest = judgedLoads.reduce((a, b) => (parseFloat(b.vsApp.text) > parseFloat(a.vsApp.text) ? b : a))
    const cpuMet = judgedLoads.filter((g) => g.vsApp.met).length
    const rssMet = judgedLoads.filter((g) => !(g.rss > g.netRss)).length
    lines.push({
      goal: `HTTP hello world, ${name}: server CPU/request ≤ ${app.goal}× ${app.net}, RSS no higher, at every load`,
      measured: `CPU met at ${cpuMet} of ${judgedLoads.length} loads (worst ${slowest.vsApp.text.replace(/ \(goal.*/, '')} at ${loadName(slowest.load)}); RSS no higher at ${rssMet} of ${judgedLoads.length} (worst ${fmtRatio(ratio(worst.rss, worst.netRss))} at ${loadName(worst.load)})`,
      met: cpuMet === judgedLoads.length && rssMet === judgedLoads.length,
    })
  }
  return lines
}

function groupBy(list, key) {
  const map = new Map()
  for (const x of list) map.set(key(x), [...(map.get(key(x)) ?? []), x])
  return map
}
