// Where the CPU of one round trip goes over the shm lane and over the plain Unix socket: each
// contender of the shm scenario in turn, at each size, with `perf record -e cpu-clock -g` attached
// to its server and to its client for the measured seconds (both run with --perf-basic-prof, so JS
// frames have names). Prints, per process, the kernel/user split of its samples and its top frames
// by self time, and the client's stats() counters per round trip. Needs perf; not part of `npm run bench`.
//
//   node bench/profile-shm.mjs [--contenders 'ringpoll over shm (io_uring),ringpoll over UDS (io_uring)']
//                              [--sizes 64,4096] [--seconds 3] [--top 12]
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { measured, startClient } from './lib/lane.mjs'
import { startServer, stopServer, watchdog } from './lib/processes.mjs'
import { contenders } from './scenarios/shm.mjs'

const { values: args } = parseArgs({
  options: {
    contenders: { type: 'string', default: 'ringpoll over shm (io_uring),ringpoll over UDS (io_uring)' },
    sizes: { type: 'string', default: '64,4096' },
    seconds: { type: 'string', default: '3' },
    top: { type: 'string', default: '12' },
  },
})
const seconds = Number(args.seconds)
const sizes = args.sizes.split(',').map(Number)
if (!(seconds > 0) || !sizes.every((s) => Number.isInteger(s) && s > 0)) throw new Error('--seconds takes a positive number, --sizes positive integers')
const dir = mkdtempSync(join(tmpdir(), 'ringpoll-profile-shm-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
const all = contenders(dir)
const names = args.contenders.split(',')
for (const n of names) if (!all.some((c) => c.name === n)) throw new Error(`--contenders: ${n} is not one of ${all.map((c) => c.name).join(', ')}`)
watchdog(names.length * sizes.length * (seconds + 30))

const perfReport = (file, sort, limit = 0.5) =>
  execFileSync('perf', ['report', '-i', file, '--no-children', '--sort', sort, '--stdio', '-g', 'none', '--percent-limit', String(limit)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => /^\s+\d/.test(l)).map((l) => l.trim())

for (const name of names) {
  const prof = ['--perf-basic-prof']
  const base = all.find((c) => c.name === name)
  const contender = { ...base, nodeArgs: prof, command: base.command.toSpliced(1, 0, ...prof) }
  const server = await startServer(contender)
  try {
    server.client = await startClient(server, contender)
    for (const size of sizes) {
      const load = (s) => measured(server, `roundtrips ${size} 10000000 ${s}`, s)
      await load(0.5)
      const processes = [['server', server.pid], ['client', server.client.child.pid]]
      const files = processes.map(([role]) => join(dir, `${role}.data`))
      const recorders = processes.map(([, pid], i) => spawn('perf', ['record', '-e', 'cpu-clock', '-g', '-q', '-o', files[i], '-p', String(pid), '--', 'sleep', String(seconds)], { stdio: 'ignore' }))
      const recorded = Promise.all(recorders.map((p) => new Promise((resolve) => p.once('exit', resolve))))
      const r = await load(seconds)
      await recorded
      console.log(`## ${name}, ${size} B round trips: ${r.count} in ${r.seconds.toFixed(1)} s, p50 ${r.p50.toFixed(1)} µs, ${((r.cpu * 1e6) / r.count).toFixed(2)} µs CPU each (server ${((r.serverCpu * 1e6) / r.count).toFixed(2)}) while profiled\n`)
      if (r.counters) console.log(`client stats() per round trip: ${Object.entries(r.counters).map(([c, n]) => `${c} ${(n / r.count).toFixed(2)}`).join(', ')}\n`)
      processes.forEach(([role], i) => {
        const dsos = perfReport(files[i], 'dso', 0)
        const kernel = dsos.filter((l) => l.includes('[kernel.kallsyms]')).reduce((sum, l) => sum + parseFloat(l), 0)
        console.log(`${role}: kernel ${kernel.toFixed(1)}%, user ${(100 - kernel).toFixed(1)}%; by DSO: ${dsos.slice(0, 4).map((l) => l.replace(/\s+/g, ' ')).join('; ')}`)
        console.log('\n```')
        console.log(perfReport(files[i], 'sym').slice(0, Number(args.top)).join('\n'))
        console.log('```\n')
      })
    }
  } finally {
    await stopServer(server)
  }
}
process.exit(0)
