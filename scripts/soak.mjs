#!/usr/bin/env node
// Soak: autocannon against examples/http-hello.mjs and an echo load against an echo server in
// the same process, at once, for N minutes (default 2). The server process samples its RSS, JS
// heap, descriptors, slabs and chunks every second (scripts/soak-probe.mjs). Fails when any
// request or echo fails, or when a sample keeps growing: after a warm-up (the first fifth), the
// peak of the last half of the run may not pass the peak of the half before it by more than a
// small margin. Bounded: the load stops by itself and a watchdog kills everything after N + 1 min.
//
//   npm run soak -- --minutes 2 [--connections 50] [--echo-clients 20]
import { spawn } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    'echo-clients': { type: 'string', default: '20' },
  },
})
const seconds = Math.round(Number(args.minutes) * 60)
if (!(seconds >= 10)) throw new Error('--minutes must be at least 1/6 (10 s)')

// How much the later peak may exceed the earlier one before it counts as growth.
const MARGIN = {
  rss: (peak) => peak * 0.1 + 16 * 2 ** 20,
  heap: (peak) => peak * 0.25 + 8 * 2 ** 20,
  external: (peak) => peak * 0.25 + 8 * 2 ** 20,
  fds: () => 8,
  slabs: () => 1,
  chunksInUse: (peak) => peak * 0.25 + 64,
}

const server = spawn(process.execPath, ['--import', here('./soak-probe.mjs'), here('../examples/http-hello.mjs'), '0'], {
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
})
const watchdog = setTimeout(() => {
  console.error('soak: watchdog fired')
  server.kill('SIGKILL')
  process.exit(2)
}, (seconds + 60) * 1000)
process.on('exit', () => server.kill('SIGKILL'))

const samples = []
let echoPort = 0
server.on('message', (m) => {
  if (m.echoPort) echoPort = m.echoPort
  if (m.sample) samples.push(m.sample)
})
const httpPort = await new Promise((resolve, reject) => {
  server.stdout.setEncoding('utf8').on('data', (text) => {
    const m = /127\.0\.0\.1:(\d+)/.exec(text)
    if (m) resolve(Number(m[1]))
  })
  server.once('exit', (code) => reject(new Error(`the server exited (${code})`)))
})
while (echoPort === 0) await new Promise((resolve) => setTimeout(resolve, 10))

// ---- the echo load: clients sending messages of varied sizes, reconnecting every 200 round trips
const deadline = Date.now() + seconds * 1000
const echo = { roundTrips: 0, bytes: 0, failures: [], reconnects: 0 }
function echoClient(id) {
  return new Promise((resolve) => {
    let x = id + 1
    const nextSize = () => {
      x = (x * 1103515245 + 12345) >>> 0
      return 1 + (x % (x & 1 ? 200 : 70000))
    }
    const round = (socket, left) => {
      if (Date.now() >= deadline) return socket.end(resolve)
      if (left === 0) {
        echo.reconnects++
        socket.end()
        return connectOnce(200)
      }
      const message = Buffer.alloc(nextSize(), x & 255)
      let got = 0
      const onData = (d) => {
        if (!d.equals(message.subarray(got, got + d.length))) echo.failures.push('echo mismatch')
        got += d.length
        if (got < message.length) return
        socket.off('data', onData)
        echo.roundTrips++
        echo.bytes += message.length
        round(socket, left - 1)
      }
      socket.on('data', onData)
      socket.write(message)
    }
    const connectOnce = (left) => {
      const socket = net.connect(echoPort, '127.0.0.1', () => round(socket, left))
      socket.on('error', (err) => {
        echo.failures.push(err.code ?? err.message)
        resolve()
      })
    }
    connectOnce(200)
  })
}
const echoLoad = Promise.all(Array.from({ length: Number(args['echo-clients']) }, (_, i) => echoClient(i)))

// ---- the HTTP load, at the same time
console.log(`soak: ${seconds} s of autocannon (${args.connections} connections) on http-hello, ` +
  `and ${args['echo-clients']} echo clients`)
const http = await autocannon({ url: `http://127.0.0.1:${httpPort}/`, connections: Number(args.connections), duration: seconds })
await echoLoad
await new Promise((resolve) => setTimeout(resolve, 1500)) // a last sample after the load
server.send('exit')
clearTimeout(watchdog)

// ---- verdict
const failures = []
const requestFailures = http.errors + http.timeouts + http.non2xx
if (requestFailures > 0) failures.push(`${http.errors} errors, ${http.timeouts} timeouts, ${http.non2xx} non-2xx responses`)
if (echo.failures.length > 0) failures.push(`echo: ${echo.failures.length} failures (${[...new Set(echo.failures)].join(', ')})`)

const fmt = (name, v) => (['rss', 'heap', 'external'].includes(name) ? `${(v / 2 ** 20).toFixed(1)} MiB` : String(v))
const loaded = samples.slice(0, -1) // the last one is after the load
const warm = Math.max(1, Math.floor(loaded.length / 5))
const half = Math.floor((loaded.length - warm) / 2)
const early = loaded.slice(warm, warm + half)
const late = loaded.slice(warm + half)
console.log(`\n${samples.length} samples, one a second; peaks after a ${warm} s warm-up:`)
console.log('metric        first  earlier half peak  later half peak  after the load')
for (const name of Object.keys(MARGIN)) {
  const peak = (list) => Math.max(...list.map((s) => s[name]))
  const a = peak(early)
  const b = peak(late)
  const grew = b > a + MARGIN[name](a)
  console.log(`${name.padEnd(12)}  ${fmt(name, samples[0][name]).padStart(9)}  ${fmt(name, a).padStart(17)}  ` +
    `${fmt(name, b).padStart(15)}  ${fmt(name, samples.at(-1)[name]).padStart(14)}${grew ? '  GROWING' : ''}`)
  if (grew) failures.push(`${name} grew from ${fmt(name, a)} to ${fmt(name, b)}`)
}
if (early.length < 2 || late.length < 2) failures.push('too few samples to judge growth')
console.log(`\nhttp: ${http.requests.total} requests, ${Math.round(http.requests.average)} req/s, ` +
  `p99 ${http.latency.p99} ms, ${requestFailures} failed`)
console.log(`echo: ${echo.roundTrips} round trips, ${(echo.bytes / 2 ** 20).toFixed(0)} MiB each way, ` +
  `${echo.reconnects} reconnects, ${echo.failures.length} failed`)
if (failures.length > 0) {
  console.log(`\nsoak: FAILED\n- ${failures.join('\n- ')}`)
  process.exit(1)
}
console.log('\nsoak: passed (no failed request, nothing growing)')
