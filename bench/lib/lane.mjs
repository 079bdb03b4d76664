// The shm scenario's client processes (clients/lane-*.mjs), driven from the bench: start one
// against a running lane server, and run its commands with the CPU time of both processes.
import { cpuSeconds } from './proc.mjs'
import { ask, emitLines, nextLine, node, spawnChild } from './processes.mjs'

/**
 * Starts `contender.client` (a script) against its server, over `contender.transport` to
 * `contender.where` (the server's port for TCP), with `contender.nodeArgs` if any; rejects with `unavailable` when the lane was not negotiated.
 */
export async function startClient(server, contender) {
  const where = contender.transport === 'tcp' ? String(server.port) : contender.where
  const child = emitLines(spawnChild(node, [...(contender.nodeArgs ?? []), contender.client, contender.transport, where], { env: { ...process.env, ...contender.env }, stdio: ['pipe', 'pipe', 'pipe'] }))
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const client = { child, name: `the client of ${contender.name}`, stderr: () => stderr.trim() }
  const hello = await nextLine(client, { timeout: 10000 })
  if (hello.unavailable) throw Object.assign(new Error(hello.unavailable), { unavailable: hello.unavailable })
  return { ...client, transport: hello.transport }
}

/** One command to the client, with the CPU time of both processes over it. */
export async function measured(server, command, seconds) {
  const pids = [server.pid, server.client.child.pid]
  const before = pids.map(cpuSeconds)
  const r = await ask(server.client, command, { timeout: (seconds + 30) * 1000 }).catch((err) => {
    throw new Error(`${err.message}${server.client.stderr() ? `: ${server.client.stderr()}` : ''}`)
  })
  const cpu = pids.map((pid, i) => cpuSeconds(pid) - before[i])
  if (r.error) throw new Error(`${command}: ${r.error}`)
  return { ...r, cpu: cpu[0] + cpu[1], serverCpu: cpu[0] }
}
