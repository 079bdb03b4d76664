// Where a node:http (or Express) server's resident memory is, on ringpoll (each backend) and on
// node:net: idle, then after each load in turn on the same server. The resident set is split by
// mapping (the node binary's pages, anonymous memory: the JS heap, malloc, ringpoll's slabs), with
// the JS heap's size and ringpoll's slab counters. Not part of `npm run bench`.
//
//   node bench/memory.mjs [--app http|express] [--loads ac100,ac1000,ac1000p10] [--seconds 3]
import { parseArgs } from 'node:util'
import { loadAutocannon } from './lib/autocannon.mjs'
import { nodeServer, ringpoll } from './lib/contenders.mjs'
import { table } from './lib/markdown.mjs'
import { ask, raiseFdLimit, startServer, stopServer, watchdog } from './lib/processes.mjs'
import { fmt } from './lib/stats.mjs'

const { values: args } = parseArgs({
  options: {
    app: { type: 'string', default: 'http' },
    loads: { type: 'string', default: 'ac100,ac1000,ac1000p10' },
    seconds: { type: 'string', default: '3' },
  },
})
const seconds = Number(args.seconds)
const loads = args.loads.split(',').map((name) => {
  const m = /^ac(\d+)(?:p(\d+))?$/.exec(name)
  if (!m) throw new Error(`--loads: ${name} is not acN or acNpM`)
  return { name, connections: Number(m[1]), pipelining: Number(m[2] ?? 1) }
})
raiseFdLimit(Math.max(...loads.map((l) => l.connections)) + 1024)
watchdog(60 + 3 * loads.length * (seconds + 10))

const contenders = [
  ...ringpoll('http-server.mjs', { label: 'ringpoll', args: ['--transport', 'ringpoll', '--app', args.app] }),
  nodeServer('node:net', 'http-server.mjs', { args: ['--transport', 'net', '--app', args.app] }),
]
const rows = []
for (const contender of contenders) {
  const server = await startServer(contender)
  const row = async (when) => {
    const m = await ask(server, 'memory')
    const ring = m.uringBuffers ? `, ring ${m.uringBuffers}` : ''  // io_uring's buffers provided (stats().uringBuffers)
    const slabs = m.slabs === undefined ? '–' : `${m.slabs} (peak ${m.slabsPeak}${ring})`
    rows.push([contender.name, when, fmt(m.rss), fmt(m.node), fmt(m.anonymous), fmt(m.other), fmt(m.heapTotal), slabs])
  }
  await row('idle')
  for (const l of loads) {
    await loadAutocannon({ port: server.port, connections: l.connections, pipelining: l.pipelining, seconds, body: 'hello world\n' })
    await row(`after ${l.name}`)
  }
  await stopServer(server)
}
const right = (title) => ({ title, align: 'right' })
console.log(`${args.app === 'express' ? 'Express' : 'node:http'}, MB; loads of ${seconds} s in turn on one server\n`)
console.log(table([{ title: 'server', align: 'left' }, { title: 'when', align: 'left' }, ...['RSS', 'node binary', 'anonymous', 'other files', 'JS heap', 'ringpoll slabs'].map(right)], rows))
process.exit(0)
