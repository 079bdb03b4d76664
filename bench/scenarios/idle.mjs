// Scenario 4: idle connections. A separate client process opens 10,000 connections and leaves them
// idle; the server's RSS and JS heap (after full garbage collections) are read before and after,
// and the difference divided by the count. ringpoll on each backend against node:net. Each round
// starts fresh servers: memory a process has once used is rarely returned, so a second
// measurement in the same process would start from the first one's high-water mark.
import { nodeServer, ringpoll } from '../lib/contenders.mjs'
import { table } from '../lib/markdown.mjs'
import { endPeers, openPeers, serverCount } from '../lib/peers.mjs'
import { ask, raiseFdLimit } from '../lib/processes.mjs'
import { alternate } from '../lib/rounds.mjs'
import { fmt, fmtRatio, ratio } from '../lib/stats.mjs'
import { find, judged, missingRow, problemLines, summarize } from '../lib/summary.mjs'
import { barChart } from '../lib/svg.mjs'

export const title = 'Idle connections'

const NET = 'node:net'
const GOAL = 0.5

export async function run({ quick, rounds }) {
  const connections = quick ? 2000 : 10000
  raiseFdLimit(connections + 1024) // the servers and the client inherit it
  const nodeArgs = ['--expose-gc']
  const contenders = [...ringpoll('idle-ringpoll.mjs', { nodeArgs }), nodeServer(NET, 'idle-net.mjs', { nodeArgs })]
  const entries = await alternate(contenders, {
    rounds,
    fresh: true,
    measure: async (server) => {
      const before = await ask(server, 'memory')
      const peers = await openPeers(server, connections)
      try {
        await serverCount(server, connections)
        const after = await ask(server, 'memory')
        return {
          rssPerConnection: (after.rss - before.rss) / connections,
          heapPerConnection: (after.heapUsed - before.heapUsed) / connections,
          rss: after.rss,
        }
      } finally {
        await endPeers(peers)
      }
    },
  })
  const summaries = summarize(entries)
  const net = find(summaries, NET)
  const goals = []
  const rows = summaries.map((s) => {
    if (!s.runs) return missingRow(s, 6)
    const vsNet = ratio(s.rssPerConnection, net?.rssPerConnection)
    let vsNetText = fmtRatio(vsNet)
    if (s.name !== NET) {
      const j = judged(vsNet, GOAL, true)
      vsNetText = j.text
      goals.push({ goal: `Idle connections, ${s.label}: memory (RSS) per connection ≤ ${GOAL}× node:net`, measured: `${fmtRatio(vsNet)} (${fmt(s.rssPerConnection)} B against ${fmt(net?.rssPerConnection)} B)`, met: j.met })
    }
    return [s.label, fmt(s.rssPerConnection), vsNetText, fmt(s.heapPerConnection), fmt(s.rss / 2 ** 20), s.runs]
  })
  const columns = [
    { title: 'server', align: 'left' }, { title: 'RSS bytes/connection' }, { title: 'vs node:net' },
    { title: 'JS heap bytes/connection' }, { title: `RSS MB with ${connections.toLocaleString('en-US')}` }, { title: 'rounds' },
  ]
  const chart = barChart({
    title: `Memory per idle connection, ${connections.toLocaleString('en-US')} connections (lower is better)`,
    unit: 'bytes per connection',
    groups: ['RSS', 'JS heap'],
    series: summaries.map((s) => ({ name: s.label, values: [s.rssPerConnection ?? NaN, s.heapPerConnection ?? NaN] })),
  })
  return {
    about: `${connections.toLocaleString('en-US')} connections opened by a separate node:net client and left idle; the server's RSS and JS heap after \`gc()\`, with all of them open minus before, per connection. Fresh servers each round.`,
    markdown: `${table(columns, rows)}\n${problemLines(summaries)}`,
    charts: [{ name: 'idle', svg: chart }],
    goals,
  }
}
