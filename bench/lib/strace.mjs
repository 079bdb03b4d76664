// System calls a server makes while loaded: `strace -c -f` attached to the running server for the
// length of one load, its summary parsed. strace is optional (apt-get install strace).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnChild } from './processes.mjs'

export const hasStrace = (() => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/** Runs `load()` with strace counting the server's system calls; resolves { result, calls: { name: count } }. */
export async function countSyscalls(server, load) {
  const dir = mkdtempSync(join(tmpdir(), 'ringpoll-strace-'))
  const file = join(dir, 'summary')
  try {
    const strace = spawnChild('strace', ['-c', '-f', '-o', file, '-p', String(server.pid)], { stdio: ['ignore', 'ignore', 'pipe'] })
    // strace names every thread it attaches to; the first line means it is tracing.
    await new Promise((resolve, reject) => {
      let err = ''
      const timer = setTimeout(() => reject(new Error(`strace did not attach: ${err.trim()}`)), 10000)
      strace.stderr.on('data', (d) => {
        err += d
        if (/attached/.test(err)) {
          clearTimeout(timer)
          resolve()
        }
      })
      strace.once('exit', () => reject(new Error(`strace exited (${strace.exitedWith}): ${err.trim()}`)))
    })
    const result = await load()
    const exited = new Promise((resolve) => strace.once('exit', resolve))
    strace.kill('SIGINT') // detaches and writes the summary
    await exited
    return { result, calls: parseSummary(readFileSync(file, 'utf8')) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// "% time     seconds  usecs/call     calls    errors syscall" rows; errors may be blank.
function parseSummary(text) {
  const calls = {}
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$/.exec(line)
    if (m && m[2] !== 'total') calls[m[2]] = Number(m[1])
  }
  return calls
}
