// ref() and unref(): a process exits when only unref'd ringpoll handles remain, and stays while a
// ref'd one is open, as with node:net (and node:http through serve(), where a test tool that
// closes what it opened lets the process exit). Each scenario runs in a child process, on node:net and on
// ringpoll/net, and the order of its events is compared ('closing' before 'exit' means the
// handle kept the process alive until the child's own timer closed it).
import t from 'tap'
import net from 'node:net'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./helpers/ref-child.mjs', import.meta.url))

function run(impl, scenario, port) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, impl, scenario, String(port)], { timeout: 20000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${impl} "${scenario}" failed: ${err.message}\n${stderr}`))
      else resolve(stdout.trim().split('\n'))
    })
  })
}

// The peer of the client scenarios: accepts and holds connections until the child closes them.
const peer = net.createServer((socket) => socket.resume())
await new Promise((resolve) => peer.listen(0, '127.0.0.1', resolve))
const { port } = peer.address()
t.teardown(() => peer.close())

const expected = {
  'server': ['listening', 'closing', 'close', 'exit'],
  'server unref': ['listening', 'exit'],
  'server unref ref': ['listening', 'closing', 'close', 'exit'],
  'client': ['connect', 'closing', 'close', 'exit'],
  'client unref': ['connect', 'exit'],
  'client unref ref': ['connect', 'closing', 'close', 'exit'],
  'client unref while connecting': ['connect', 'exit'],
  // node:http, with app.listen() on node:net or serve() on ringpoll.
  'http': ['listening', 'closing', 'close', 'exit'],
  'http unref': ['listening', 'exit'],
  'supertest': ['done, listening: false', 'exit'],
}

for (const [scenario, events] of Object.entries(expected)) {
  t.test(scenario, async (t) => {
    const [node, ringpoll] = await Promise.all([run('node:net', scenario, port), run('ringpoll/net', scenario, port)])
    t.same(node, events, 'node:net')
    t.same(ringpoll, node, 'ringpoll/net as node:net')
  })
}

const raw = {
  'raw server unref': ['listening', 'exit'],
  'raw server unref ref': ['listening', 'closing', 'close', 'exit'],
  'raw client unref': ['connect', 'exit'],
  'raw client unref ref': ['connect', 'closing', 'close', 'exit'],
}

for (const [scenario, events] of Object.entries(raw)) {
  t.test(scenario, async (t) => {
    t.same(await run('ringpoll', scenario, port), events)
  })
}
