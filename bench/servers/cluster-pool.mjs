// The server of the cluster bench as a ringpoll/cluster pool: argv[3] workers, each running
// cluster-worker.mjs (argv[4]: 'echo' or 'http') on its own reactor, sharing one port with
// reusePort. Prints the listening line once the pool has started. On stdin, "pids" prints the
// other processes whose CPU counts (none), "stats" the pool's summed counters, and "close" closes
// the pool and prints {"startMs","closeMs"}: how long startWorkers() and pool.close() took.
import { createInterface } from 'node:readline'
import { startWorkers } from 'ringpoll/cluster'
import { ready, sharedPort } from './response.mjs'

const count = Number(process.argv[3] ?? 1)
const kind = process.argv[4] ?? 'echo'

const port = await sharedPort()
let t0 = performance.now()
const pool = await startWorkers(new URL('./cluster-worker.mjs', import.meta.url), { count, workerData: { port, kind } })
const startMs = performance.now() - t0
const { workers } = await pool.stats()
ready(port, workers[0].backend)

createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line === 'pids') return console.log('[]') // the workers are threads of this process
  if (line === 'stats') return console.log(JSON.stringify((await pool.stats()).total))
  if (line !== 'close') return
  t0 = performance.now()
  await pool.close({ timeout: 5000 })
  console.log(JSON.stringify({ startMs, closeMs: performance.now() - t0 }))
  process.exit(0)
})
