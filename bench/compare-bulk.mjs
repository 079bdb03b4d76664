// Bulk input, another checkout of ringpoll (built, as for compare.mjs) against this one, for changes
// to the receive path such as the io_uring buffer ring's size: the echo of 16 KB messages at 100
// connections (servers/echo-ringpoll.mjs, the compiled client of the echo scenario) and one-way
// streaming of 1 MB messages over TCP and a Unix socket (servers/lane-ringpoll.mjs and its client,
// as in the shm scenario), each checkout's own scripts, the two alternating round by round on one
// backend. Prints medians: messages/s and server CPU µs per message, MB/s and CPU ms per MB (both
// processes), and the server's RSS after a round.
//
//   node bench/compare-bulk.mjs --base DIR [--backend io_uring|epoll] [--rounds 5] [--seconds 2]
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { echoLoad } from './lib/echo-client.mjs'
import { startClient } from './lib/lane.mjs'
import { table } from './lib/markdown.mjs'
import { rssBytes } from './lib/proc.mjs'
import { benchPath, node, watchdog } from './lib/processes.mjs'
import { alternate } from './lib/rounds.mjs'
import { fmt, fmtRatio, ratio } from './lib/stats.mjs'
import { summarize } from './lib/summary.mjs'
import { stream } from './scenarios/shm.mjs'

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    backend: { type: 'string', default: 'io_uring' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '2' },
  },
})
if (!args.base || !existsSync(`${args.base}/bench/servers/echo-ringpoll.mjs`)) throw new Error('--base takes a built checkout of ringpoll')
const rounds = Number(args.rounds)
const seconds = Number(args.seconds)
if (!(Number.isInteger(rounds) && rounds >= 1) || !(seconds > 0)) throw new Error('--rounds takes an integer >= 1, --seconds a positive number')
const backend = args.backend
const checkouts = [['base', args.base], ['this', benchPath('..')]]
const WARMUP = 0.5
watchdog(3 * 2 * (rounds * (seconds + WARMUP) + 10) + 60)

const rows = []
const MB = 2 ** 20
const mib = (bytes) => bytes / MB

// Echo, 16 KB at 100 connections.
{
  const load = { connections: 100, request: 16384 }
  const contenders = checkouts.map(([name, dir]) => ({ name, backend, command: [node, `${dir}/bench/servers/echo-ringpoll.mjs`, '0'], env: { RINGPOLL_BACKEND: backend } }))
  const entries = await alternate(contenders, {
    rounds,
    warmup: (server) => echoLoad(server, { ...load, seconds: WARMUP, warmup: 0 }),
    measure: async (server) => {
      const r = await echoLoad(server, { ...load, seconds, warmup: WARMUP / 2 })
      return { rate: r.messagesPerSecond, cpu: (r.cpu * 1e6) / r.messages, rss: mib(r.rss) }
    },
  })
  rows.push(...summary('echo 16 KB × 100', 'msg/s', 'µs/msg', entries))
}

// Streaming, 1 MB messages, over TCP and a Unix socket.
const dir = mkdtempSync(join(tmpdir(), 'ringpoll-bulk-'))
try {
  for (const transport of ['tcp', 'unix']) {
    const contenders = checkouts.map(([name, checkout]) => {
      const where = transport === 'tcp' ? '0' : join(dir, `${name}-${transport}.sock`)
      return {
        name,
        backend,
        transport,
        where,
        command: [node, `${checkout}/bench/servers/lane-ringpoll.mjs`, transport, where],
        client: `${checkout}/bench/clients/lane-ringpoll.mjs`,
        env: { RINGPOLL_BACKEND: backend },
      }
    })
    const entries = await alternate(contenders, {
      rounds,
      warmup: async (server, contender) => {
        server.client = await startClient(server, contender)
        await stream(server, WARMUP)
      },
      measure: async (server) => {
        const s = await stream(server, seconds)
        return { rate: s.mbps, cpu: s.cpu, rss: mib(rssBytes(server.pid)) }
      },
    })
    rows.push(...summary(`stream 1 MB, ${transport.toUpperCase()}`, 'MB/s', 'ms/MB', entries))
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}

function summary(load, rateUnit, cpuUnit, entries) {
  const [base, self] = summarize(entries)
  for (const s of [base, self]) if (s.problems.length > 0) console.error(`${load}, ${s.name}: ${s.problems.join('; ')}`)
  return [base, self].map((s) => [
    load, s.name, `${fmt(s.rate)} ${rateUnit}`, s === self ? fmtRatio(ratio(self.rate, base.rate)) : '',
    `${fmt(s.cpu)} ${cpuUnit}`, s === self ? fmtRatio(ratio(self.cpu, base.cpu)) : '', fmt(s.rss), s.runs,
  ])
}

console.log(`${backend}, ${rounds} alternating rounds of ${seconds} s, medians\n`)
console.log(table([
  { title: 'load', align: 'left' }, { title: 'checkout', align: 'left' }, { title: 'rate' }, { title: 'vs base' },
  { title: 'CPU' }, { title: 'vs base' }, { title: 'server RSS MB' }, { title: 'rounds' },
], rows))
process.exit(0)
