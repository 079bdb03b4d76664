// listen() binds within the call when no host name has to be looked up, so address() and
// listening answer at once (supertest, Koa's and Express's tests do `app.listen(0).address().port`);
// with a host name ('localhost') the bind follows the lookup, as node:net's does.
import t from 'tap'
import net from 'node:net'
import * as ringpollNet from 'ringpoll/net'
import { createServer } from 'ringpoll'
import { impls, once } from './helpers/net-compare.mjs'
import { socketPath } from './helpers/util.mjs'

/** What a server shows right after listen(...args), and at 'listening'. */
async function shows(impl, ...args) {
  const server = impl.createServer()
  let sync = true
  const events = []
  server.on('listening', () => events.push(sync ? 'listening (sync)' : 'listening'))
  server.listen(...args)
  sync = false
  const address = server.address()
  const at = { listening: server.listening, address: typeof address === 'string' ? 'path' : address && typeof address.port }
  await once(server, 'listening')
  const later = server.address()
  await new Promise((resolve) => server.close(resolve))
  return { at, events, later: typeof later === 'string' ? 'path' : typeof later.port }
}

// The arguments of each form (made per run: a socket path is used once).
const forms = {
  'listen(0)': () => [0],
  'listen()': () => [],
  'listen({ port: 0 })': () => [{ port: 0 }],
  'listen(path)': () => [socketPath()],
  'listen({ path })': () => [{ path: socketPath() }],
  "listen(0, 'localhost')": () => [0, 'localhost'],
}

for (const [name, args] of Object.entries(forms)) {
  t.test(name, async (t) => {
    const results = {}
    for (const [implName, impl] of Object.entries(impls)) results[implName] = await shows(impl, ...args())
    t.same(results['ringpoll/net'], results['node:net'], 'ringpoll/net as node:net')
    if (!name.includes('localhost')) t.equal(results['ringpoll/net'].at.listening, true, 'listening at once')
  })
}

t.test("listen(0, '127.0.0.1') and { host: '127.0.0.1' }: bound at once (node:net binds after a tick)", async (t) => {
  for (const args of [[0, '127.0.0.1'], [{ port: 0, host: '127.0.0.1' }], [{ port: 0, host: '::1' }]]) {
    const server = ringpollNet.createServer()
    server.listen(...args)
    const address = server.address()
    t.equal(server.listening, true)
    t.equal(address.address, args[0].host ?? args[1])
    t.ok(address.port > 0)
    await once(server, 'listening')
    t.same(server.address(), address, 'the same address at listening')
    await new Promise((resolve) => server.close(resolve))
  }
})

t.test('a listen error still comes as an event on the next tick, as on node:net', async (t) => {
  const holder = net.createServer().listen(0, '127.0.0.1')
  await once(holder, 'listening')
  const { port } = holder.address()
  t.teardown(() => holder.close())
  const results = {}
  for (const [implName, impl] of Object.entries(impls)) {
    const server = impl.createServer()
    let sync = true
    const seen = []
    server.on('error', (err) => seen.push(`${sync ? 'sync ' : ''}error:${err.code}`))
    server.listen(port)
    sync = false
    seen.push(`listening:${server.listening}`)
    await once(server, 'error')
    seen.push(`after:${server.listening}:${server.address()}`)
    results[implName] = seen
  }
  t.same(results['ringpoll/net'], results['node:net'])
  t.same(results['node:net'][0], 'listening:false')
})

t.test('the raw API: the address is there as soon as listen() returns its promise', async (t) => {
  const server = createServer({ onData() {} })
  const promise = server.listen({ port: 0, host: '127.0.0.1' })
  const address = server.address()
  t.equal(address?.address, '127.0.0.1')
  t.same(await promise, address)
  await server.close()
  const named = createServer({ onData() {} })
  const lookup = named.listen({ port: 0, host: 'localhost' })
  t.equal(named.address(), null, 'a host name is looked up first')
  t.ok((await lookup).port > 0)
  await named.close()
})
