// Memory of a Node server, for bench/memory.mjs: the line "memory" on stdin is answered with the
// resident set split by mapping (the node binary's pages, anonymous memory, the rest; from
// /proc/self/smaps), the JS heap, and, for a ringpoll server, its slab counters.
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

const MiB = 2 ** 20
let ringpollStats = null
export function meterRingpoll(stats) {
  ringpollStats = stats
}

function residentByMapping() {
  const out = { node: 0, anonymous: 0, other: 0 }
  let kind = 'anonymous'
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (mapping) {
      const name = mapping[1]
      kind = name === process.execPath ? 'node' : name === '' || name.startsWith('[') ? 'anonymous' : 'other'
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (rss) out[kind] += (Number(rss[1]) * 1024) / MiB
  }
  return out
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line !== 'memory') return
  const { rss, heapTotal } = process.memoryUsage()
  const s = ringpollStats?.()
  const slabs = s ? { slabs: s.slabs, slabsPeak: s.slabsPeak, chunksReserved: s.chunksReserved, uringBuffers: s.uringBuffers } : {}
  console.log(JSON.stringify({ rss: rss / MiB, heapTotal: heapTotal / MiB, ...residentByMapping(), ...slabs }))
})
