// The idle and close-latency scenarios' client (clients/peers.mjs), in its own process: it opens
// connections to a server and closes them when told.
import { ask, benchPath, emitLines, nextLine, node, spawnChild } from './processes.mjs'

/** Opens `connections` to the server; resolves once all are connected, with the client process. */
export async function openPeers(server, connections) {
  const child = emitLines(spawnChild(node, [benchPath('clients/peers.mjs'), String(server.port), String(connections)], { stdio: ['pipe', 'pipe', 'inherit'] }))
  const peers = { child, name: 'the peers client' }
  const { connected } = await nextLine(peers, { timeout: 60000 })
  if (connected !== connections) throw new Error(`the client opened ${connected} of ${connections} connections`)
  return peers
}

/** Closes n connections gap ms apart; resolves with { "<local port>": close time ns }. */
export const closePeers = (peers, kind, n, gap) => ask(peers, `close ${kind} ${n} ${gap}`, { timeout: 60000 + n * gap * 4 })

/** Ends the client (and so every connection it still holds). */
export function endPeers(peers) {
  const exited = new Promise((resolve) => peers.child.once('exit', resolve))
  peers.child.stdin.end()
  return exited
}

/** Resolves once the server counts `n` connections (it accepts, or sees closes, a little later). */
export async function serverCount(server, n, { timeout = 30000 } = {}) {
  const deadline = Date.now() + timeout
  for (;;) {
    const { connections } = await ask(server, 'count')
    if (connections === n) return
    if (Date.now() > deadline) throw new Error(`${server.name} counts ${connections} connections, not ${n}, after ${timeout / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
