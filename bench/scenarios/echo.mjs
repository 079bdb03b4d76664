// Scenario 2: echo in the manner of Netpoll's benchmark. Every connection sends a message and
// waits for all of it to come back before sending the next; one compiled client
// (reference/echo_client.c) loads every server. 1 KB messages at 100 and 1,000 connections, 16 KB
// at 100. Figures: messages/s, p50/p99 latency, server CPU µs per message.
import { bunServer, cServer, nodeServer, ringpoll } from '../lib/contenders.mjs'
import { echoLoad } from '../lib/echo-client.mjs'
import { table } from '../lib/markdown.mjs'
import { alternate } from '../lib/rounds.mjs'
import { fmt, fmtRatio, ratio } from '../lib/stats.mjs'
import { find, judged, missingRow, problemLines, summarize } from '../lib/summary.mjs'
import { barChart } from '../lib/svg.mjs'

export const title = 'Echo'
export const about = 'One compiled client (`reference/echo_client.c`, one thread, epoll) for every server: each connection sends a message and waits for the whole echo before the next.'

const NET = 'node:net'
const C = 'C epoll reference'
const GOAL_VS_NET = 1.5

const LOADS = [
  { connections: 100, size: 1024 },
  { connections: 1000, size: 1024 },
  { connections: 100, size: 16384 },
]
const loadName = (l) => `${l.size / 1024} KB messages, ${l.connections} connections`

export async function run({ quick, rounds, seconds, warmup }) {
  const contenders = [...ringpoll('echo-ringpoll.mjs'), nodeServer(NET, 'echo-net.mjs'), bunServer('Bun.listen', 'echo-bun.mjs'), cServer(C, 'echo_epoll')]
  const series = []
  for (const load of quick ? LOADS.slice(1, 2) : LOADS) {
    const options = { connections: load.connections, request: load.size }
    const entries = await alternate(contenders, {
      rounds,
      warmup: (server) => echoLoad(server, { ...options, seconds: warmup, warmup: 0 }),
      measure: async (server) => {
        // Each run's connections are new: a short warm-up of the client's own before it measures.
        const r = await echoLoad(server, { ...options, seconds, warmup: warmup / 2 })
        return { ...r, cpuPerMessage: (r.cpu * 1e6) / r.messages }
      },
    })
    series.push({ load, summaries: summarize(entries) })
  }

  const goals = []
  const blocks = series.map(({ load, summaries }) => {
    const net = find(summaries, NET)
    const c = find(summaries, C)
    const rows = summaries.map((s) => {
      if (!s.runs) return missingRow(s, 8)
      const vsNet = ratio(s.messagesPerSecond, net?.messagesPerSecond)
      let vsNetText = fmtRatio(vsNet)
      if (s.name.startsWith('ringpoll') && load.connections === 1000 && load.size === 1024) {
        const j = judged(vsNet, GOAL_VS_NET, false)
        vsNetText = j.text
        goals.push({ goal: `Echo 1 KB at 1,000 connections, ${s.label}: messages/s ≥ ${GOAL_VS_NET}× node:net`, measured: fmtRatio(vsNet), met: j.met })
      }
      return [s.label, fmt(s.messagesPerSecond), vsNetText, fmt(s.p50), fmt(s.p99), fmt(s.cpuPerMessage), fmtRatio(ratio(s.cpuPerMessage, c?.cpuPerMessage)), s.runs]
    })
    const columns = [
      { title: 'server', align: 'left' }, { title: 'messages/s' }, { title: 'vs node:net' }, { title: 'p50 ms' }, { title: 'p99 ms' },
      { title: 'server CPU µs/msg' }, { title: 'CPU vs C' }, { title: 'rounds' },
    ]
    return `### ${loadName(load)}\n\n${table(columns, rows)}\n${problemLines(summaries)}`
  })
  const chart = barChart({
    title: 'Echo: messages per second (higher is better)',
    unit: 'messages/s',
    groups: series.map((s) => `${s.load.size / 1024} KB × ${s.load.connections}`),
    series: contenders.map((contender) => ({
      name: contender.name,
      values: series.map((s) => find(s.summaries, contender.name)?.messagesPerSecond ?? NaN),
    })),
  })
  return { markdown: blocks.join('\n'), charts: [{ name: 'echo', svg: chart }], goals }
}
