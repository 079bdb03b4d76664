// Server life cycle: addresses, EADDRINUSE, close() waiting for connections, close({ timeout }).
import t from 'tap'
import net from 'node:net'
import { existsSync } from 'node:fs'
import { createServer, connect } from 'ringpoll'
import { netConnect, sleep, socketPath, until } from './helpers/util.mjs'

t.test('listen reports the bound address', async (t) => {
  const s = createServer({})
  t.equal(s.address(), null)
  const a = await s.listen({ port: 0, host: '127.0.0.1' })
  t.match(a, { address: '127.0.0.1', family: 'IPv4', port: Number })
  t.ok(a.port > 0)
  t.same(s.address(), a)
  await t.rejects(s.listen({ port: 0 }), { code: 'ERR_SERVER_ALREADY_LISTEN' })
  await s.close()
  const v6 = createServer({})
  t.match(await v6.listen({ port: 0, host: '::1' }), { address: '::1', family: 'IPv6' })
  await v6.close()
  const dual = createServer({})
  const d = await dual.listen({ port: 0 })
  t.ok(d.address === '::' || d.address === '0.0.0.0', 'no host: every interface')
  await dual.close()
  const path = socketPath()
  const unix = createServer({})
  t.same(await unix.listen({ path }), { path })
  await unix.close()
})

t.test("EADDRINUSE worded as node's, with the address", async (t) => {
  const a = createServer({})
  const { port } = await a.listen({ port: 0, host: '127.0.0.1' })
  const b = createServer({})
  const inUse = (address, port) => ({
    code: 'EADDRINUSE', errno: -98, syscall: 'listen', address, port,
    message: `listen EADDRINUSE: address already in use ${address}${port === undefined ? '' : `:${port}`}`,
  })
  await t.rejects(b.listen({ port, host: '127.0.0.1' }), inUse('127.0.0.1', port))
  // node:net words it the same way.
  const node = net.createServer()
  const err = await new Promise((resolve) => node.once('error', resolve).listen(port, '127.0.0.1'))
  t.same({ code: err.code, syscall: err.syscall, address: err.address, port: err.port, message: err.message }, {
    code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port, message: `listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
  })
  const path = socketPath()
  await a.close()
  const u = createServer({})
  await u.listen({ path })
  await t.rejects(createServer({}).listen({ path }), inUse(path, undefined))
  await u.close()
})

t.test('reusePort lets two servers share a port', async (t) => {
  const a = createServer({})
  const { port } = await a.listen({ port: 0, host: '127.0.0.1', reusePort: true })
  const b = createServer({})
  t.match(await b.listen({ port, host: '127.0.0.1', reusePort: true }), { port })
  await Promise.all([a.close(), b.close()])
})

t.test('close() stops accepting and resolves when the connections have closed', async (t) => {
  let conn
  const s = createServer({ onConnect: (c) => (conn = c) })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  await until(() => conn, 'accept')
  t.equal(s.connections, 1)
  let resolved = false
  s.close().then(() => (resolved = true))
  await t.rejects(connect({ port, host: '127.0.0.1' }), { code: 'ECONNREFUSED' }, 'no longer accepting')
  await sleep(20)
  t.equal(resolved, false, 'still waiting for the open connection')
  socket.end()
  await until(() => resolved, 'close() to resolve')
  t.equal(s.connections, 0)
})

t.test('[Symbol.asyncDispose]() closes the server as close() does (await using)', async (t) => {
  let conn
  const s = createServer({ onConnect: (c) => (conn = c) })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  await until(() => conn, 'accept')
  let disposed = false
  s[Symbol.asyncDispose]().then(() => (disposed = true))
  await t.rejects(connect({ port, host: '127.0.0.1' }), { code: 'ECONNREFUSED' }, 'no longer accepting')
  t.equal(disposed, false, 'waits for the open connection')
  socket.end()
  await until(() => disposed, 'the dispose to resolve')
  t.equal(s.connections, 0)
  await s[Symbol.asyncDispose]() // again: resolves, as a second close() does
})

t.test('close({ timeout }) closes what is left with ETIMEDOUT', async (t) => {
  const closes = []
  const s = createServer({ onClose: (c, err) => closes.push(err?.code) })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const sockets = await Promise.all([1, 2, 3].map(() => netConnect({ port, host: '127.0.0.1' })))
  for (const socket of sockets) socket.on('error', () => {})
  await until(() => s.connections === 3, 'accepts')
  await s.close({ timeout: 20 })
  t.same(closes, ['ETIMEDOUT', 'ETIMEDOUT', 'ETIMEDOUT'])
  for (const socket of sockets) socket.destroy()
})

t.test('connection addresses', async (t) => {
  let server
  const s = createServer({ onConnect: (c) => (server = c) })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const client = await connect({ port, host: '127.0.0.1' }, {})
  await until(() => server, 'accept')
  t.equal(server.localPort, port)
  t.equal(server.localAddress, '127.0.0.1')
  t.equal(server.remotePort, client.localPort)
  t.equal(server.remoteFamily, 'IPv4')
  t.equal(client.remotePort, port)
  t.equal(client.remoteAddress, '127.0.0.1')
  t.equal(client.setNoDelay(false), client, 'chainable')
  t.equal(client.setKeepAlive(true, 1000), client)
  client.context = { user: 1 }
  t.same(client.context, { user: 1 })
  client.close()
  await until(() => s.connections === 0, 'close')
  t.equal(server.remotePort, client.localPort, 'the remote address outlives the close')
  await s.close()
})

t.test('localhost resolves, and a client tries each address', async (t) => {
  const s = createServer({})
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const conn = await connect({ port, host: 'localhost' }, {})
  t.equal(conn.remoteAddress, '127.0.0.1')
  conn.close()
  await s.close()
})

t.test('a closed Unix socket server removes its socket file', async (t) => {
  const path = socketPath()
  const s = createServer({})
  await s.listen({ path })
  t.ok(existsSync(path))
  await s.close()
  t.notOk(existsSync(path))
})
