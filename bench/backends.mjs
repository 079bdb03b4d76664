// Where a request's CPU goes on each backend: the HTTP hello world on ringpoll's raw API, epoll and
// io_uring alternating round by round, loaded by autocannon and wrk (when installed) from a child
// process. The server runs in this process, so its reactor's own counters can be read: per request
// it prints user and system CPU µs, loop wake-ups, calls into JS, io_uring_enter calls, and the
// system calls the reactor made (epoll: reads + writes + epoll_wait; io_uring: io_uring_enter,
// plus the loop's own epoll_wait per wake-up for both).
//
//   node bench/backends.mjs [--connections 100,1000] [--rounds 3] [--duration 4]
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { hasWrk } from './lib/wrk.mjs'

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '100,1000' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
  },
})
const BACKENDS = ['epoll', 'io_uring']
const server = fileURLToPath(new URL('./servers/ringpoll-counted.mjs', import.meta.url))
const autocannon = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url))
const tools = hasWrk ? ['autocannon', 'wrk'] : ['autocannon']

// One bounded run: the server child reports its counters over the run as JSON on exit.
function run(backend, tool, connections) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [server], {
      env: { ...process.env, RINGPOLL_BACKEND: backend },
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    const watchdog = setTimeout(() => child.kill('SIGKILL'), (Number(args.duration) + 20) * 1000)
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = /^listening (\d+)$/m.exec(out)
      if (!m || child.loading) return
      child.loading = true
      const url = `http://127.0.0.1:${m[1]}/`
      const load = tool === 'wrk'
        ? spawn('wrk', ['-t1', `-c${connections}`, `-d${args.duration}s`, url], { stdio: 'ignore' })
        : spawn(process.execPath, [autocannon, '-c', String(connections), '-d', args.duration, url], { stdio: 'ignore' })
      child.stdin.write('start\n')
      load.on('exit', () => child.stdin.end('stop\n'))
    })
    child.on('exit', () => {
      clearTimeout(watchdog)
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line) resolve(JSON.parse(line))
      else reject(new Error(`${backend} server gave no figures`))
    })
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const FIELDS = ['cpu', 'user', 'sys', 'wakeups', 'dispatches', 'submits', 'syscalls']

for (const tool of tools) {
  for (const connections of args.connections.split(',').map(Number)) {
    const results = Object.fromEntries(BACKENDS.map((b) => [b, []]))
    for (let round = 0; round < Number(args.rounds); round++) {
      for (const backend of BACKENDS) results[backend].push(await run(backend, tool, connections))
    }
    console.log(`\n## ${connections} connections, ${tool} (medians of ${args.rounds} rounds, per request)\n`)
    console.log(`| backend | req/s | CPU µs | user µs | sys µs | wake-ups | calls into JS | io_uring_enter | syscalls |`)
    console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`)
    for (const backend of BACKENDS) {
      const m = Object.fromEntries(['rps', ...FIELDS].map((f) => [f, median(results[backend].map((r) => r[f]))]))
      const ratio = backend === 'epoll' ? '' : ` (${(m.cpu / median(results.epoll.map((r) => r.cpu))).toFixed(2)}× epoll)`
      console.log(`| ${backend} | ${Math.round(m.rps)} | ${m.cpu.toFixed(2)}${ratio} | ${m.user.toFixed(2)} | ${m.sys.toFixed(2)} | ` +
        `${m.wakeups.toFixed(2)} | ${m.dispatches.toFixed(2)} | ${m.submits.toFixed(2)} | ${m.syscalls.toFixed(2)} |`)
    }
  }
}
