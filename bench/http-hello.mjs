// HTTP/1.1 keep-alive hello world: ringpoll's raw API, node:net, and a C epoll reference, loaded
// by autocannon (and wrk when it is on PATH) in one run, contenders alternating round by round.
// Prints requests/s, p99 latency and the server's CPU time per request (from /proc/<pid>/stat),
// with CPU ratios to the C reference and to node:net.
//
// autocannon runs in this process (its programmatic API): on 2 cores a separate client process
// would compete for the same cores anyway, and this process does nothing else during a run. wrk,
// when present, is a child process. Every run is bounded (the load's duration plus a watchdog), and
// every server is killed on exit, on error, on SIGINT/SIGTERM/SIGHUP and when the watchdog fires.
//
//   node bench/http-hello.mjs [--duration 5] [--connections 100,1000] [--rounds 3]
//                             [--only c,cnested,net,ringpoll] [--tool autocannon|wrk|both] [--quick]
//                             [--pipelining 1]   (requests in flight per connection, both tools)
//                             [--pin]            (server on CPU 1, this process and wrk on CPU 0)
import { spawn, execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: 'c,cnested,net,ringpoll' },
    tool: { type: 'string' },
    quick: { type: 'boolean', default: false },
    pipelining: { type: 'string', default: '1' },
    pin: { type: 'boolean', default: false },
  },
})
const duration = args.quick ? 2 : Number(args.duration)
const rounds = args.quick ? 1 : Number(args.rounds)
const connectionCounts = args.connections.split(',').map(Number)
const pipelining = Number(args.pipelining)
if (!(Number.isInteger(pipelining) && pipelining >= 1)) throw new Error('--pipelining takes an integer >= 1')
const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
    return true
  } catch (err) {
    return err.status === 1 // wrk --version exits 1 after printing its version
  }
})()
const tools = args.tool === 'both' || (!args.tool && hasWrk) ? ['autocannon', 'wrk'] : [args.tool ?? 'autocannon']
if (tools.includes('wrk') && !hasWrk) throw new Error('wrk is not installed (apt-get install wrk)')

const CONTENDERS = {
  c: { label: 'C epoll reference', command: [here('./reference/http_epoll')] },
  cnested: { label: 'C, nested epoll', command: [here('./reference/http_epoll')], args: ['nested'] },
  net: { label: 'node:net raw', command: [process.execPath, here('./servers/net-raw.mjs')] },
  ringpoll: { label: 'ringpoll raw (epoll)', command: [process.execPath, here('./servers/ringpoll-raw.mjs')] },
}
const contenders = args.only.split(',').map((name) => {
  if (!CONTENDERS[name]) throw new Error(`unknown contender ${name}`)
  return { name, ...CONTENDERS[name] }
})

if (contenders.some((c) => c.name.startsWith('c'))) {
  execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', here('./reference/http_epoll'), here('./reference/http_epoll.c')])
}
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString())
// taskset execs the server, so the pid measured is the server's. Every thread of this process
// (autocannon, and the wrk it spawns) goes to CPU 0.
if (args.pin) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' })

const children = new Set()
const killAll = () => {
  for (const child of children) child.kill('SIGKILL')
}
process.on('exit', killAll)
process.on('SIGINT', () => process.exit(130))
process.on('SIGTERM', () => process.exit(143))
process.on('SIGHUP', () => process.exit(129))

// The whole run is bounded: twice the planned load time plus a minute, then everything is killed.
const plannedSeconds =
  connectionCounts.length * tools.length * rounds * contenders.length * (duration + 1 + 3)
const watchdog = setTimeout(() => {
  console.error(`bench: watchdog fired after ${2 * plannedSeconds + 60} s; killing the servers`)
  process.exit(124)
}, (2 * plannedSeconds + 60) * 1000)
watchdog.unref()

/** Starts a server on a free port; resolves with { child, port } once it prints "listening". */
function startServer(contender) {
  return new Promise((resolve, reject) => {
    const [cmd, ...rest] = [...(args.pin ? ['taskset', '-c', '1'] : []), ...contender.command]
    const child = spawn(cmd, [...rest, '0', ...(contender.args ?? [])], { stdio: ['ignore', 'pipe', 'inherit'] })
    children.add(child)
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${contender.name} did not print "listening <port>" within 10 s`))
    }, 10000)
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = /listening (\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, port: Number(m[1]) })
      }
    })
    child.on('exit', (code, signal) => {
      child.exitedWith = signal ?? `code ${code}`
      reject(new Error(`${contender.name} exited with ${child.exitedWith}`))
    })
  })
}

async function stopServer(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))])
  child.kill('SIGKILL')
  children.delete(child)
}

/** The process's user + system CPU time in seconds (all its threads; /proc/<pid>/stat fields 14, 15). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

const BODY = 'hello world\n'

/** One autocannon run; `details` names every error and non-2xx status it saw. */
function loadAutocannon(port, connections, seconds) {
  return new Promise((resolve, reject) => {
    const errorCodes = new Map()
    const instance = autocannon(
      { url: `http://127.0.0.1:${port}/`, connections, pipelining, duration: seconds, timeout: 5, expectBody: BODY },
      (err, r) => {
        if (err) return reject(err)
        const details = [...errorCodes].map(([code, n]) => `${n} × ${code}`)
        for (const [status, { count }] of Object.entries(r.statusCodeStats ?? {})) {
          if (!status.startsWith('2')) details.push(`${count} × HTTP ${status}`)
        }
        if (r.mismatches) details.push(`${r.mismatches} × body other than ${JSON.stringify(BODY)}`)
        resolve({
          requests: r.requests.total,
          p99: r.latency.p99,
          errors: r.errors + r.timeouts + r.mismatches,
          non2xx: r.non2xx,
          details,
        })
      },
    )
    instance.on('reqError', (err) => {
      const code = err?.code ?? err?.message ?? String(err)
      errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1)
    })
  })
}

// wrk sends one request at a time per connection; with --pipelining N a script sends N at once.
let wrkScript
function wrkPipelineScript() {
  if (!wrkScript) {
    wrkScript = join(mkdtempSync(join(tmpdir(), 'ringpoll-bench-')), 'pipeline.lua')
    writeFileSync(wrkScript, `init = function(args)
  local r = {}
  for i = 1, ${pipelining} do r[i] = wrk.format() end
  req = table.concat(r)
end
request = function() return req end
`)
    process.on('exit', () => rmSync(dirname(wrkScript), { recursive: true, force: true }))
  }
  return ['-s', wrkScript]
}

async function loadWrk(port, connections, seconds) {
  const out = await new Promise((resolve, reject) => {
    const child = execFile(
      'wrk',
      [
        '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '--latency',
        ...(pipelining > 1 ? wrkPipelineScript() : []),
        `http://127.0.0.1:${port}/`,
      ],
      { timeout: (seconds + 15) * 1000, killSignal: 'SIGKILL' },
      (err, stdout) => {
        children.delete(child)
        if (err) reject(new Error(`wrk failed: ${err.message}`))
        else resolve(stdout)
      },
    )
    children.add(child)
  })
  const requests = Number(/(\d+) requests in/.exec(out)[1])
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out)
  const scale = { us: 0.001, ms: 1, s: 1000 }
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  return {
    requests,
    // wrk's latency percentiles are meaningless with a pipelining script (it prints 0.00us)
    p99: p99 && pipelining === 1 ? Number(p99[1]) * scale[p99[2]] : NaN,
    errors: errors ? errors.slice(1).reduce((n, x) => n + Number(x), 0) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    details: [errors?.[0], non2xx?.[0]].filter(Boolean),
  }
}

async function measure(contender, tool, connections) {
  const { child, port } = await startServer(contender)
  try {
    const load = tool === 'wrk' ? loadWrk : loadAutocannon
    await load(port, connections, 1) // warm-up: JIT, connection set-up, socket buffers
    const cpuBefore = cpuSeconds(child.pid)
    const started = process.hrtime.bigint()
    const r = await load(port, connections, duration)
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    if (child.exitedWith) {
      const seen = r.details.length ? `; the client saw ${r.details.join(', ')}` : ''
      throw new Error(`the server died during the run (${child.exitedWith}) after ${r.requests} responses${seen}`)
    }
    const cpu = cpuSeconds(child.pid) - cpuBefore
    return { ...r, rps: r.requests / seconds, cpuPerRequest: (cpu * 1e6) / r.requests }
  } finally {
    await stopServer(child)
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-')

// The load average says how busy the machine was apart from the bench: figures taken while other
// work runs on the same 2 cores are noisier (the medians and alternation only partly help).
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')
console.log(`# HTTP hello world: ${rounds} round(s) of ${duration} s, tools: ${tools.join(', ')}, node ${process.version}, load average ${load()}${args.pin ? ', pinned' : ''}\n`)
for (const connections of connectionCounts) {
  for (const tool of tools) {
    const results = new Map(contenders.map((c) => [c.name, []]))
    for (let round = 0; round < rounds; round++) {
      for (const contender of contenders) {
        // A failing contender (no start, a crash) is reported and the others go on.
        const run = await measure(contender, tool, connections).catch((err) => ({ failed: err.message }))
        results.get(contender.name).push({ round, ...run })
      }
    }
    const summary = contenders.map((c) => {
      const all = results.get(c.name)
      const runs = all.filter((r) => !r.failed)
      return {
        failures: all.filter((r) => r.failed),
        byRound: all.map((r) => (r.failed ? 'failed' : fmt(r.cpuPerRequest, 2))).join(' / '),
        problems: all.filter((r) => r.details?.length),
        ...c,
        rps: median(runs.map((r) => r.rps)),
        p99: median(runs.map((r) => r.p99)),
        cpu: median(runs.map((r) => r.cpuPerRequest)),
        errors: runs.reduce((n, r) => n + r.errors, 0),
        non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
      }
    })
    const cpuOf = (name) => summary.find((s) => s.name === name)?.cpu
    console.log(`## ${connections} connections${pipelining > 1 ? `, pipelining ${pipelining}` : ''}, ${tool}\n`)
    console.log('| server | req/s | p99 ms | server CPU µs/req | CPU vs C | CPU vs node:net | errors | non-2xx | CPU µs/req by round |')
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
    for (const s of summary) {
      console.log(`| ${s.label} | ${fmt(s.rps, 0)} | ${fmt(s.p99, 2)} | ${fmt(s.cpu, 2)} | ${fmt(s.cpu / cpuOf('c'), 2)} | ${fmt(s.cpu / cpuOf('net'), 2)} | ${s.errors} | ${s.non2xx} | ${s.byRound} |`)
    }
    console.log('')
    for (const s of summary) {
      for (const f of s.failures) console.log(`- ${s.label}, round ${f.round + 1}: FAILED: ${f.failed}`)
      for (const p of s.problems) console.log(`- ${s.label}, round ${p.round + 1}: ${p.details.join('; ')}`)
      if (s.failures.length || s.errors || s.non2xx) process.exitCode = 1
    }
    if (summary.some((s) => s.failures.length || s.problems.length)) console.log('')
  }
}
console.log(`load average at the end: ${load()}`)
