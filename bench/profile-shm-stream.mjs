// What one-way streaming of 1 MB messages costs per MB on each contender of the shm scenario: MB/s,
// CPU ms per MB of both processes, the client's stats() counters per MB (bytesWritten per MB is
// what went over the socket: ~8 bytes, one wake frame, when the lane carries everything; more is
// spilled payload), and with --strace the system calls per MB of the server and of the client
// (`strace -c -f` attached for the measured seconds, so the figures of that run are slowed down).
// Fresh processes per contender, warmed up for 0.5 s. Needs strace for --strace; not part of `npm run bench`.
//
//   node bench/profile-shm-stream.mjs [--contenders 'ringpoll over shm (epoll),ringpoll over shm (io_uring)']
//                                     [--seconds 2] [--strace] [--top 8]
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { measured, startClient } from './lib/lane.mjs'
import { startServer, stopServer, watchdog } from './lib/processes.mjs'
import { contenders } from './scenarios/shm.mjs'

const { values: args } = parseArgs({
  options: {
    contenders: { type: 'string', default: 'ringpoll over shm (epoll),ringpoll over shm (io_uring)' },
    seconds: { type: 'string', default: '2' },
    strace: { type: 'boolean', default: false },
    top: { type: 'string', default: '8' },
  },
})
const seconds = Number(args.seconds)
if (!(seconds > 0)) throw new Error('--seconds takes a positive number')
const MB = 2 ** 20
const dir = mkdtempSync(join(tmpdir(), 'ringpoll-profile-shm-stream-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
const all = contenders(dir)
const names = args.contenders.split(',')
for (const n of names) if (!all.some((c) => c.name === n)) throw new Error(`--contenders: ${n} is not one of ${all.map((c) => c.name).join(', ')}`)
watchdog(names.length * (seconds + 30))

// `strace -c` lines: % time, seconds, usecs/call, calls, [errors,] syscall.
const syscalls = (file, mb) =>
  readFileSync(file, 'utf8').split('\n').filter((l) => /^\s*\d/.test(l)).map((l) => l.trim().split(/\s+/))
    .map((f) => ({ name: f[f.length - 1], calls: Number(f[3]) })).filter((s) => s.name !== 'total').sort((a, b) => b.calls - a.calls)
    .slice(0, Number(args.top)).map((s) => `${s.name} ${(s.calls / mb).toFixed(2)}`).join(', ')

for (const name of names) {
  const contender = all.find((c) => c.name === name)
  const server = await startServer(contender)
  try {
    server.client = await startClient(server, contender)
    await measured(server, `stream ${2 ** 36} 0.5`, 0.5)
    const processes = [['server', server.pid], ['client', server.client.child.pid]]
    const files = processes.map(([role]) => join(dir, `${role}.strace`))
    const tracers = args.strace ? processes.map(([, pid], i) => spawn('strace', ['-c', '-f', '-o', files[i], '-p', String(pid)], { stdio: 'ignore' })) : []
    if (tracers.length) await new Promise((resolve) => setTimeout(resolve, 300))  // attached
    const r = await measured(server, `stream ${2 ** 36} ${seconds}`, seconds)
    const traced = Promise.all(tracers.map((p) => new Promise((resolve) => p.once('exit', resolve))))
    for (const p of tracers) p.kill('SIGINT')
    await traced
    const mb = r.bytes / MB
    console.log(`## ${name}: ${(mb / r.seconds).toFixed(0)} MB/s, CPU ${((r.cpu * 1e3) / mb).toFixed(3)} ms/MB (server ${((r.serverCpu * 1e3) / mb).toFixed(3)})${args.strace ? ', under strace' : ''}`)
    console.log(`client stats() per MB: ${Object.entries(r.counters).map(([c, n]) => `${c} ${(n / mb).toFixed(2)}`).join(', ')}`)
    processes.forEach(([role], i) => tracers.length && console.log(`${role} system calls per MB: ${syscalls(files[i], mb)}`))
    console.log()
  } finally {
    await stopServer(server)
  }
}
process.exit(0)
