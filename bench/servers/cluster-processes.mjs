// The cluster bench's control: argv[3] processes (not threads), each running cluster-worker.mjs
// (argv[4]: 'echo' or 'http') on the same port with reusePort, as one would without
// ringpoll/cluster. Answers the same stdin lines as cluster-pool.mjs: "pids" (the processes whose
// CPU counts), "stats" (nothing: the reactors are in other processes) and "close" (SIGTERM to
// each, then {"startMs","closeMs"}).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ready, sharedPort } from './response.mjs'

const count = Number(process.argv[3] ?? 2)
const kind = process.argv[4] ?? 'http'
const script = fileURLToPath(new URL('./cluster-process.mjs', import.meta.url))

const port = await sharedPort()
let t0 = performance.now()
const children = Array.from({ length: count }, () => spawn(process.execPath, [script, String(port), kind], { stdio: ['ignore', 'pipe', 'inherit'] }))
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')))
const backends = await Promise.all(children.map(async (c) => {
  c.stdout.setEncoding('utf8')
  const [line] = await once(c.stdout, 'data')
  return /^ready (\S+)/.exec(line)?.[1]
}))
const startMs = performance.now() - t0
ready(port, backends[0])

createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line === 'pids') return console.log(JSON.stringify(children.map((c) => c.pid)))
  if (line === 'stats') return console.log('{}')
  if (line !== 'close') return
  t0 = performance.now()
  await Promise.all(children.map((c) => {
    c.kill('SIGTERM')
    return once(c, 'exit')
  }))
  console.log(JSON.stringify({ startMs, closeMs: performance.now() - t0 }))
  process.exit(0)
})
