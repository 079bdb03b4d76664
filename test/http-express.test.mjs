// The Express example, run as its own process, answers through ringpoll and shuts down cleanly.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const example = fileURLToPath(new URL('../examples/express-hello.mjs', import.meta.url))

t.test('examples/express-hello.mjs', async (t) => {
  const child = spawn(process.execPath, [example], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] })
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000) // a bound, should it hang
  t.teardown(() => clearTimeout(killer))
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  while (!/listening on (\S+)/.test(output)) await once(child.stdout, 'data')
  const base = /listening on (\S+)/.exec(output)[1]

  const hello = await fetch(`${base}/hello/ringpoll`)
  t.equal(hello.status, 200)
  t.same(await hello.json(), { hello: 'ringpoll' })

  const echo = await fetch(`${base}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ n: 42, list: [1, 2, 3] }),
  })
  t.same(await echo.json(), { got: { n: 42, list: [1, 2, 3] } })

  const missing = await fetch(`${base}/nowhere`)
  t.equal(missing.status, 404, "Express's own 404")
  await missing.text()

  child.kill('SIGTERM')
  const [code, signal] = await once(child, 'exit')
  t.same({ code, signal }, { code: 0, signal: null }, 'exits by itself once closed')
})
