// node:http on node:net against node:http on ringpoll (ringpoll/http), both loaded by autocannon
// at each connection count, contenders alternating round by round. Prints requests/s and the
// server's CPU time per request (user + system, from /proc/<pid>/stat), medians over the rounds,
// and ringpoll's CPU per request as a ratio to node:net's.
//
//   node bench/http-node.mjs [--duration 5] [--connections 100,1000] [--rounds 3]
//
// Every run is bounded (autocannon's duration, and a watchdog for the whole bench); the servers are
// killed on exit, on error and on SIGINT/SIGTERM.
import { spawn, execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '100,1000' },
    rounds: { type: 'string', default: '3' },
  },
})
const duration = Number(args.duration)
const rounds = Number(args.rounds)
const connectionCounts = args.connections.split(',').map(Number)
const server = fileURLToPath(new URL('./servers/http-node.mjs', import.meta.url))
const CONTENDERS = [
  { name: 'node:net', flag: '--net' },
  { name: 'ringpoll', flag: '--ringpoll' },
]
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString())

const children = new Set()
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')))
process.on('SIGINT', () => process.exit(130))
process.on('SIGTERM', () => process.exit(143))
const planned = connectionCounts.length * rounds * CONTENDERS.length * (duration + 1)
setTimeout(() => {
  console.error('watchdog: the bench took too long')
  process.exit(1)
}, (planned * 2 + 60) * 1000).unref()

function start(contender) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [server, contender.flag], { stdio: ['ignore', 'pipe', 'inherit'] })
    children.add(child)
    const timer = setTimeout(() => reject(new Error(`${contender.name} did not start`)), 10_000)
    child.on('exit', (code, signal) => reject(new Error(`${contender.name} exited (${signal ?? code})`)))
    child.stdout.on('data', (d) => {
      const m = /listening (\d+)/.exec(String(d))
      if (m) {
        clearTimeout(timer)
        resolve({ child, port: Number(m[1]) })
      }
    })
  })
}

/** CPU time of a process so far (user + system), in µs. */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6 // fields 14 and 15
}

async function load(port, connections, seconds) {
  return autocannon({ url: `http://127.0.0.1:${port}/`, connections, duration: seconds })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const problems = []
const results = {} // `${connections} ${name}` -> [{ rps, cpu }]

const servers = []
for (const contender of CONTENDERS) servers.push({ ...contender, ...(await start(contender)) })
for (const connections of connectionCounts) {
  for (const s of servers) await load(s.port, connections, 1) // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const s of servers) {
      const before = cpuMicros(s.child.pid)
      const r = await load(s.port, connections, duration)
      const cpu = cpuMicros(s.child.pid) - before
      const requests = r['2xx']
      if (r.errors || r.timeouts || r.non2xx) problems.push(`${s.name} at ${connections}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`)
      ;(results[`${connections} ${s.name}`] ??= []).push({ rps: requests / duration, cpu: cpu / requests })
    }
  }
}

console.log(`node:http hello world, autocannon, ${rounds} rounds of ${duration} s (medians)\n`)
console.log('| connections | server | req/s | server CPU µs/req | CPU vs node:net |')
console.log('| ---: | --- | ---: | ---: | ---: |')
for (const connections of connectionCounts) {
  const netCpu = median(results[`${connections} node:net`].map((x) => x.cpu))
  for (const { name } of CONTENDERS) {
    const runs = results[`${connections} ${name}`]
    const cpu = median(runs.map((x) => x.cpu))
    console.log(`| ${connections} | ${name} | ${Math.round(median(runs.map((x) => x.rps)))} | ${cpu.toFixed(2)} | ${(cpu / netCpu).toFixed(2)}× |`)
  }
}
for (const p of problems) console.log(`PROBLEM: ${p}`)
process.exit(problems.length ? 1 : 0)
