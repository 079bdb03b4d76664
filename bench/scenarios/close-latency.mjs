// Scenario 5: peer-close latency. A separate client process holds idle connections and closes them
// one at a time, 1 ms apart, half with a FIN (close()) and half with an RST; each server notes when
// its close handler runs (ringpoll's onClose, node:net's 'close') with no read pending. Latency is
// that time minus the client's time just before its close, on the monotonic clock both processes
// share. ringpoll on each backend against node:net.
import { nodeServer, ringpoll } from '../lib/contenders.mjs'
import { table } from '../lib/markdown.mjs'
import { closePeers, endPeers, openPeers, serverCount } from '../lib/peers.mjs'
import { ask } from '../lib/processes.mjs'
import { alternate } from '../lib/rounds.mjs'
import { fmt, fmtRatio, percentile, ratio } from '../lib/stats.mjs'
import { find, missingRow, problemLines, summarize } from '../lib/summary.mjs'
import { barChart } from '../lib/svg.mjs'

export const title = 'Peer-close latency'

const NET = 'node:net'
const GOAL_P99_MS = 5
const GAP_MS = 1
const KINDS = ['fin', 'rst']
const KIND_NAME = { fin: 'FIN (close())', rst: 'RST' }

export async function run({ quick, rounds }) {
  const perKind = quick ? 200 : 1000
  const contenders = [...ringpoll('idle-ringpoll.mjs'), nodeServer(NET, 'idle-net.mjs')]
  const entries = await alternate(contenders, {
    rounds,
    measure: async (server) => {
      const peers = await openPeers(server, perKind * KINDS.length)
      try {
        let open = perKind * KINDS.length
        await serverCount(server, open)
        await ask(server, 'closes') // forget any earlier closes
        const figures = { problems: [] }
        for (const kind of KINDS) {
          const sent = await closePeers(peers, kind, perKind, GAP_MS)
          open -= perKind
          await serverCount(server, open)
          const seen = await ask(server, 'closes')
          const latencies = Object.entries(sent).flatMap(([port, t]) => (seen[port] ? [Number(BigInt(seen[port]) - BigInt(t)) / 1e6] : []))
          if (latencies.length !== perKind) figures.problems.push(`${perKind - latencies.length} ${kind} closes not matched to a server close`)
          figures[`${kind}P50`] = percentile(latencies, 50)
          figures[`${kind}P99`] = percentile(latencies, 99)
          figures[`${kind}Max`] = Math.max(...latencies)
        }
        return figures
      } finally {
        await endPeers(peers)
      }
    },
  })
  const summaries = summarize(entries)
  const goals = []
  const net = find(summaries, NET)
  const rows = summaries.map((s) => {
    if (!s.runs) return missingRow(s, 10)
    const cells = KINDS.flatMap((kind) => {
      const p99 = s[`${kind}P99`]
      let p99Text = fmt(p99)
      if (s.name !== NET) {
        const met = Number.isFinite(p99) ? p99 <= GOAL_P99_MS : null
        p99Text = `${fmt(p99)} (goal ≤ ${GOAL_P99_MS} ms: ${met ? 'met' : 'missed'})`
        goals.push({ goal: `Peer-close latency, ${KIND_NAME[kind]}, ${s.label}: p99 ≤ ${GOAL_P99_MS} ms`, measured: `${fmt(p99)} ms (node:net ${fmt(net?.[`${kind}P99`])} ms)`, met })
      }
      return [fmt(s[`${kind}P50`]), p99Text, fmtRatio(ratio(p99, net?.[`${kind}P99`])), fmt(s[`${kind}Max`])]
    })
    return [s.label, ...cells, s.runs]
  })
  const columns = [
    { title: 'server', align: 'left' },
    ...KINDS.flatMap((kind) => {
      const k = kind.toUpperCase()
      return [{ title: `${k} p50 ms` }, { title: `${k} p99 ms` }, { title: `${k} p99 vs node:net` }, { title: `${k} max ms` }]
    }),
    { title: 'rounds' },
  ]
  const chart = barChart({
    title: 'Peer-close latency, p50 and p99 (lower is better)',
    unit: 'ms, client close to server close handler',
    groups: KINDS.flatMap((kind) => [`${kind.toUpperCase()} p50`, `${kind.toUpperCase()} p99`]),
    series: summaries.map((s) => ({ name: s.label, values: KINDS.flatMap((kind) => [s[`${kind}P50`] ?? NaN, s[`${kind}P99`] ?? NaN]) })),
  })
  return {
    about: `${perKind.toLocaleString('en-US')} connections closed with a FIN and ${perKind.toLocaleString('en-US')} with an RST per round, one every ${GAP_MS} ms, by a separate node:net client; the time from just before its \`close()\` (or \`resetAndDestroy()\`) to the server's close handler, with no read pending. Medians over the rounds of each round's p50, p99 and maximum.`,
    markdown: `${table(columns, rows)}\n${problemLines(summaries)}`,
    charts: [{ name: 'close-latency', svg: chart }],
    goals,
  }
}
