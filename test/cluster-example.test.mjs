// examples/cluster-hello.mjs, run as its own process: its workers answer on one port, and after
// SIGTERM the pool closes and the process exits by itself (nothing of the pool keeps it alive).
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { availableCores } from 'ringpoll/cluster'
import { freePort, listenSucceeds } from './helpers/cluster.mjs'

const example = fileURLToPath(new URL('../examples/cluster-hello.mjs', import.meta.url))

t.test('examples/cluster-hello.mjs', async (t) => {
  const port = await freePort()
  const child = spawn(process.execPath, [example, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000) // a bound, should it hang
  t.teardown(() => clearTimeout(killer))
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  while (!/listening on/.test(output)) await once(child.stdout, 'data')
  t.match(output, `${availableCores()} workers listening on http://127.0.0.1:${port}/`)

  for (let i = 0; i < 3; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/`)
    t.equal(await res.text(), 'Hello, World!')
  }
  child.kill('SIGTERM')
  const [code, signal] = await once(child, 'exit')
  t.same({ code, signal }, { code: 0, signal: null }, 'exits by itself once the pool has closed')
  await listenSucceeds(port)
  t.pass('the port is free')
})
