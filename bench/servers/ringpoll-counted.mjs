// The raw-API hello world of http-ringpoll.mjs, measuring itself: "start" and "stop" lines on stdin
// bound the interval; on "stop" it prints per-request CPU time and reactor counters as JSON.
import { createInterface } from 'node:readline'
import { createServer, stats } from 'ringpoll'
import { answerRequests } from './response.mjs'

let requests = 0
const server = createServer({
  onData(conn) {
    requests += answerRequests(conn)
  },
})
const { port } = await server.listen({ port: 0, host: '127.0.0.1' })
console.log(`listening ${port}`)

let start
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'start') {
    start = { cpu: process.cpuUsage(), stats: stats(), requests, time: process.hrtime.bigint() }
    return
  }
  const cpu = process.cpuUsage(start.cpu)
  const s = stats()
  const n = requests - start.requests
  const per = (key) => (s[key] - start.stats[key]) / n
  // System calls the reactor makes, and the loop's epoll_wait per wake-up.
  const syscalls = s.backend === 'io_uring' ? per('submits') + per('wakeups') : per('readCalls') + per('writeCalls') + 2 * per('wakeups')
  console.log(JSON.stringify({
    rps: n / (Number(process.hrtime.bigint() - start.time) / 1e9),
    cpu: (cpu.user + cpu.system) / n,
    user: cpu.user / n,
    sys: cpu.system / n,
    wakeups: per('wakeups'),
    dispatches: per('dispatches'),
    submits: per('submits'),
    syscalls,
  }))
  process.exit(0)
})
