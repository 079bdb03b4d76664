// Child processes of the bench: servers that print "listening <port>" when ready, and load
// clients. Every child is registered and killed when the bench exits for any reason (the end, an
// error, a signal, the watchdog), so nothing outlives a run.
import { spawn, execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const children = new Set()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => process.exit(code))
}

/** Ends the bench (and so every child) if it runs past `seconds`. */
export function watchdog(seconds) {
  setTimeout(() => {
    console.error(`bench: watchdog fired after ${seconds} s; killing every child process`)
    process.exit(124)
  }, seconds * 1000).unref()
}

/** Spawns a registered child; stdio as given. */
export function spawnChild(command, args, options = {}) {
  const child = spawn(command, args, options)
  children.add(child)
  child.once('exit', (code, signal) => {
    child.exitedWith = signal ?? `code ${code}`
    children.delete(child)
  })
  return child
}

export const node = process.execPath
export const benchPath = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url))

/** Emits a 'line' event on the child for every line it prints on stdout. */
export function emitLines(child) {
  let out = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (data) => {
    out += data
    let nl
    while ((nl = out.indexOf('\n')) !== -1) {
      const line = out.slice(0, nl)
      out = out.slice(nl + 1)
      child.emit('line', line)
    }
  })
  return child
}

/**
 * Starts a server and resolves once it prints "listening <port>" (and, for ringpoll servers,
 * "backend=<name>", the backend it really runs on); rejects with `unavailable` set when the server
 * says it cannot run here, or runs on another backend than `contender.backend`. `contender` is
 * { name, command: [cmd, ...args], env, backend? }. The server's later lines stay available as
 * 'line' events of `server.child` (see ask()).
 */
export function startServer(contender, { timeout = 10000 } = {}) {
  const [cmd, ...args] = contender.command
  const child = emitLines(spawnChild(cmd, args, { env: { ...process.env, ...contender.env }, stdio: ['pipe', 'pipe', 'inherit'] }))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${contender.name} did not print "listening <port>" within ${timeout / 1000} s`))
    }, timeout)
    const onLine = (line) => {
      const gone = /^unavailable (.*)/.exec(line)
      const m = /^listening (\d+)(?: backend=(\S+))?/.exec(line)
      if (!gone && !m) return
      clearTimeout(timer)
      child.off('line', onLine)
      // A ringpoll server asked for a backend it did not get (a build or kernel without it) has no
      // figures for that backend.
      const why = gone ? gone[1] : contender.backend && m[2] !== contender.backend ? `${contender.backend}: not available in this build (ran on ${m[2] ?? 'an unnamed backend'})` : null
      if (why) {
        if (!gone) child.kill('SIGKILL')
        reject(Object.assign(new Error(`${contender.name}: ${why}`), { unavailable: why }))
      } else resolve({ child, pid: child.pid, port: Number(m[1]), backend: m[2], name: contender.name })
    }
    child.on('line', onLine)
    child.once('exit', () => {
      clearTimeout(timer)
      reject(new Error(`${contender.name} exited with ${child.exitedWith} before listening`))
    })
  })
}

/** Resolves with the next line a process ({ child, name }) prints, parsed as JSON. */
export function nextLine(proc, { timeout = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const onExit = () => finish(new Error(`${proc.name} exited (${proc.child.exitedWith}) instead of answering`))
    const onLine = (line) => finish(null, line)
    const timer = setTimeout(() => finish(new Error(`${proc.name} did not answer within ${timeout / 1000} s`)), timeout)
    function finish(err, line) {
      clearTimeout(timer)
      proc.child.off('line', onLine)
      proc.child.off('exit', onExit)
      if (err) reject(err)
      else resolve(JSON.parse(line))
    }
    proc.child.on('line', onLine)
    proc.child.once('exit', onExit)
  })
}

/** Sends a line to a process's stdin and resolves with its answer (the next line, as JSON). */
export function ask(proc, line, options) {
  const answer = nextLine(proc, options)
  proc.child.stdin.write(`${line}\n`)
  return answer
}

/** SIGTERM, then SIGKILL if it is still there after 2 s. */
export async function stopServer(server) {
  const { child } = server
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))])
  child.kill('SIGKILL')
}

/** Throws if the server died, naming how: a run against a dead server measures nothing. */
export function assertAlive(server) {
  if (server.child.exitedWith) throw new Error(`${server.name} died (${server.child.exitedWith})`)
}

/**
 * Raises this process's open-file limit (children inherit it) to at least `needed`: as far as
 * 65536 when allowed, else up to the hard limit. Throws when even that is too low.
 */
export function raiseFdLimit(needed) {
  const pid = String(process.pid)
  const limits = () =>
    execFileSync('prlimit', ['--pid', pid, '--nofile', '--output=SOFT,HARD', '--noheadings', '--raw'])
      .toString().trim().split(/\s+/).map((x) => (x === 'unlimited' ? Infinity : Number(x)))
  try {
    execFileSync('prlimit', ['--pid', pid, '--nofile=65536:65536'], { stdio: 'ignore' })
  } catch {
    const [, hard] = limits()
    execFileSync('prlimit', ['--pid', pid, `--nofile=${hard}:${hard}`], { stdio: 'ignore' })
  }
  const [soft] = limits()
  if (soft < needed) throw new Error(`the open-file limit is ${soft}; this bench needs ${needed} (raise the hard limit)`)
  return soft
}
