// Runs the compiled load client (bench/reference/echo_client.c) against a server and measures the
// server's CPU time over exactly the client's measured interval (between its "start" line and its
// figures; the connections are set up before and closed after).
import { cpuSeconds, rssBytes } from './proc.mjs'
import { emitLines, spawnChild } from './processes.mjs'
import { reference } from './reference.mjs'

/** Resolves with the client's figures plus `cpu` (server CPU seconds) and `rss` (server bytes). */
export function echoLoad(server, { connections, request, response = request, seconds, warmup }) {
  const args = [server.port, connections, request, response, seconds, warmup].map(String)
  const client = emitLines(spawnChild(reference('echo_client'), args, { stdio: ['pipe', 'pipe', 'pipe'] }))
  const killer = setTimeout(() => client.kill('SIGKILL'), (seconds + warmup + 30) * 1000)
  return new Promise((resolve, reject) => {
    let err = ''
    let cpuBefore
    let figures
    client.stderr.on('data', (d) => (err += d))
    client.on('line', (text) => {
      const line = JSON.parse(text)
      if (line.event === 'start') {
        cpuBefore = cpuSeconds(server.pid)
      } else {
        figures = { ...line, cpu: cpuSeconds(server.pid) - cpuBefore, rss: rssBytes(server.pid) }
        client.stdin.end()
      }
    })
    client.once('exit', () => {
      clearTimeout(killer)
      if (figures && client.exitCode === 0) resolve(figures)
      else reject(new Error(`echo_client ${args.join(' ')} failed (${client.exitedWith}): ${err.trim() || 'no figures'}`))
    })
  })
}
