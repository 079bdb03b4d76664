// What the idle and close-latency servers share: they hold connections without using them, note
// when each one closes (on the monotonic clock every process shares), and answer the bench's
// questions on stdin, one JSON line per question:
//   count    { connections }
//   memory   { connections, rss, heapUsed } after two full garbage collections (needs --expose-gc)
//   closes   { "<peer port>": <close time, ns> } for the connections closed since the last ask
import { createInterface } from 'node:readline'

export function holder() {
  let connections = 0
  let closes = {}
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'count') return answer({ connections })
    if (line === 'memory') {
      globalThis.gc()
      globalThis.gc()
      const { rss, heapUsed } = process.memoryUsage()
      return answer({ connections, rss, heapUsed })
    }
    if (line === 'closes') {
      answer(closes)
      closes = {}
    }
  })
  return {
    opened() {
      connections++
    },
    /** Call from the close handler, with the peer's port noted when the connection opened. */
    closed(peerPort) {
      closes[peerPort] = String(process.hrtime.bigint())
      connections--
    },
  }
}

const answer = (value) => console.log(JSON.stringify(value))
