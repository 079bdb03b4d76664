// One wrk run (a child process), when wrk is installed: it drives a server harder than autocannon
// can, so the server rather than the client is the bottleneck. Pipelining uses a Lua script that
// sends `pipelining` requests at once.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnChild } from './processes.mjs'

export const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
    return true
  } catch (err) {
    return err.status === 1 // wrk --version prints its version and exits 1
  }
})()

const scripts = new Map()
function pipelineScript(depth) {
  if (!scripts.has(depth)) {
    const dir = mkdtempSync(join(tmpdir(), 'ringpoll-bench-'))
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'pipeline.lua')
    writeFileSync(file, `init = function(args)
  local r = {}
  for i = 1, ${depth} do r[i] = wrk.format() end
  req = table.concat(r)
end
request = function() return req end
`)
    scripts.set(depth, file)
  }
  return scripts.get(depth)
}

const SCALE = { us: 0.001, ms: 1, s: 1000 }
const latency = (out, label) => {
  const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out)
  return m ? Number(m[1]) * SCALE[m[2]] : NaN
}

export async function loadWrk({ port, connections, pipelining = 1, seconds }) {
  const args = ['-t1', `-c${connections}`, `-d${Math.max(1, Math.round(seconds))}s`, '--timeout', '5s', '--latency']
  if (pipelining > 1) args.push('-s', pipelineScript(pipelining))
  const child = spawnChild('wrk', [...args, `http://127.0.0.1:${port}/`], { stdio: ['ignore', 'pipe', 'pipe'] })
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000)
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const code = await new Promise((resolve) => child.once('exit', resolve))
  clearTimeout(killer)
  const requests = /(\d+) requests in/.exec(out)
  if (code !== 0 || !requests) throw new Error(`wrk failed (${child.exitedWith}): ${out.trim().split('\n').pop()}`)
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  return {
    requests: Number(requests[1]),
    // With a pipelining script wrk times only the first request of each batch: not comparable.
    p50: pipelining === 1 ? latency(out, '50') : NaN,
    p99: pipelining === 1 ? latency(out, '99') : NaN,
    problems: [errors?.[0], non2xx?.[0]].filter(Boolean),
  }
}
