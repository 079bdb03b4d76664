// A socket that reads nothing (paused, or after the peer's FIN) and has nothing to send does not
// keep the process alive, as net's idle handle does not; one reading or writing does. Each
// scenario runs in a child process on node:net and on ringpoll/net, and their events are compared.
import t from 'tap'
import net from 'node:net'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./helpers/idle-child.mjs', import.meta.url))

function run(impl, scenario, port) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, impl, scenario, String(port)], { timeout: 20000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${impl} "${scenario}" failed: ${err.message}\n${stderr}`))
      else resolve(stdout.trim().split('\n'))
    })
  })
}

/** A node:net peer that does `onSocket` with each connection; its port. */
async function peer(onSocket) {
  const server = net.createServer(onSocket)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  return server.address().port
}

const holding = await peer((s) => s.resume().on('end', () => s.end()))
const notReading = await peer((s) => s.pause().on('error', () => {}))
const ending = await peer((s) => s.resume().end())

const scenarios = {
  'paused': [holding, ['connect', 'exit']],
  'reading': [holding, ['connect', 'closing', 'close', 'exit']],
  'paused, writing to a peer that does not read': [notReading, ['connect', 'closing', 'close', 'exit']],
  'after the peer ends': [ending, ['connect', 'end', 'exit']],
}

for (const [scenario, [port, events]] of Object.entries(scenarios)) {
  t.test(scenario, async (t) => {
    const [node, ringpoll] = await Promise.all([run('node:net', scenario, port), run('ringpoll/net', scenario, port)])
    t.same(node, events, 'node:net')
    t.same(ringpoll, node, 'ringpoll/net as node:net')
  })
}
