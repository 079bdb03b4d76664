// GC time of a Node server, for the bench: a PerformanceObserver sums the duration of every
// collection; the line "gc" on stdin is answered with {"gcMs": <total so far>}.
import { PerformanceObserver } from 'node:perf_hooks'
import { createInterface } from 'node:readline'

let total = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) total += entry.duration
}).observe({ entryTypes: ['gc'] })

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'gc') console.log(JSON.stringify({ gcMs: total }))
})
