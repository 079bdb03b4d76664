// GC time of a Node server, for the bench: a v8.GCProfiler records every collection natively (no
// JS callback per collection, unlike a PerformanceObserver); the line "gc" on stdin is answered
// with {"gcMs": <total so far>}, and a new profile starts after the answer.
import { createInterface } from 'node:readline'
import { GCProfiler } from 'node:v8'

let total = 0
let profiler = new GCProfiler()
profiler.start()

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line !== 'gc') return
  for (const { cost } of profiler.stop().statistics) total += cost / 1000 // µs
  console.log(JSON.stringify({ gcMs: total }))
  profiler = new GCProfiler()
  profiler.start()
})
