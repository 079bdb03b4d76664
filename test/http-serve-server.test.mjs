// After serve(app, ...), the http.Server looks and acts like a listening server, as after
// app.listen(...) on node:net: address() and listening at once, the listen callback's `this`,
// close(cb) and 'close', ERR_SERVER_NOT_RUNNING, getConnections(), maxConnections and 'drop',
// 'connection' and 'error'. Each scenario runs with app.listen (node:net) and with serve(app) and
// compares what the app shows.
import t from 'tap'
import http from 'node:http'
import net from 'node:net'
import { Socket } from 'ringpoll/net'
import { serve } from 'ringpoll/http'
import { stats } from 'ringpoll'
import { once } from './helpers/net-compare.mjs'
import { socketPath, until } from './helpers/util.mjs'

const starts = {
  'node:net': (app, ...args) => app.listen(...args),
  ringpoll: (app, ...args) => serve(app, ...args),
}

/** Runs `scenario(start)` with each; asserts the logs are the same and returns node:net's. */
async function sameOnBoth(t, scenario) {
  const logs = {}
  for (const [name, start] of Object.entries(starts)) logs[name] = await scenario(start, name)
  t.same(logs.ringpoll, logs['node:net'], 'serve(app) as app.listen()')
  return logs['node:net']
}

const closeApp = (app) => new Promise((resolve) => app.close((err) => resolve(err?.code ?? 'closed')))

t.test('listen(0): address and listening at once; the callback is a listener of the app', async (t) => {
  const log = await sameOnBoth(t, async (start) => {
    const log = []
    const app = http.createServer()
    app.on('listening', () => log.push('listening event'))
    start(app, 0, function () {
      log.push(`callback, this is the app: ${this === app}`)
    })
    log.push(`at once: listening ${app.listening}, port ${typeof app.address()?.port}`)
    await once(app, 'listening')
    log.push(await closeApp(app))
    log.push(`after close: listening ${app.listening}, address ${app.address()}`)
    return log
  })
  t.same(log, ['at once: listening true, port number', 'listening event', 'callback, this is the app: true', 'closed', 'after close: listening false, address null'])
})

t.test('a Unix socket path: address() is the path', async (t) => {
  await sameOnBoth(t, async (start) => {
    const path = socketPath()
    const app = http.createServer()
    start(app, path)
    const at = app.address() === path
    await once(app, 'listening')
    await closeApp(app)
    return [at]
  })
})

t.test('close(cb): stops accepting, requests finish, then close; a second close gets ERR_SERVER_NOT_RUNNING', async (t) => {
  const log = await sameOnBoth(t, async (start) => {
    const log = []
    let respond
    const app = http.createServer((req, res) => {
      respond = () => res.end('done')
    })
    app.on('close', () => log.push('close event'))
    start(app, 0, '127.0.0.1')
    await once(app, 'listening')
    const { port } = app.address()
    const response = new Promise((resolve) => http.get(`http://127.0.0.1:${port}/`, { agent: false }, (res) => res.resume().on('end', () => resolve(res.statusCode))))
    await until(() => respond !== undefined, 'the request')
    const closed = closeApp(app)
    log.push(`listening after close(): ${app.listening}`)
    const refused = await new Promise((resolve) => net.connect(port, '127.0.0.1').on('error', (err) => resolve(err.code)))
    log.push(`a new connection: ${refused}`)
    respond()
    log.push(`response: ${await response}`)
    log.push(`close callback: ${await closed}`)
    log.push(`second close: ${await closeApp(app)}`)
    return log
  })
  // net emits 'close' once the last connection has gone (so before the client has read all of
  // the response), and again for a close() of a server that is not running.
  t.same(log, ['listening after close(): false', 'a new connection: ECONNREFUSED', 'close event', 'response: 200', 'close callback: closed', 'close event', 'second close: ERR_SERVER_NOT_RUNNING'])
})

t.test("getConnections(), 'connection', maxConnections and 'drop'", async (t) => {
  const log = await sameOnBoth(t, async (start, name) => {
    const log = []
    const app = http.createServer()
    app.maxConnections = 2
    app.on('connection', (socket) => {
      log.push('connection')
      if (name === 'ringpoll') t.ok(socket instanceof Socket, 'a ringpoll socket')
    })
    app.on('drop', (data) => log.push(`drop: ${JSON.stringify(data)}`))
    start(app, 0, '127.0.0.1')
    await once(app, 'listening')
    const { port } = app.address()
    const clients = []
    for (let i = 0; i < 3; i++) {
      const client = net.connect(port, '127.0.0.1')
      client.on('error', () => {})
      await once(client, 'connect')
      clients.push(client)
    }
    const peerPort = clients[2].localPort
    await once(clients[2], 'close')
    log.push(await new Promise((resolve) => app.getConnections((err, n) => resolve(`getConnections: ${err} ${n}`))))
    for (const client of clients) client.destroy()
    log.push(await closeApp(app))
    return log.map((line) => line.replace(`:${port},`, ':PORT,').replace(`:${peerPort},`, ':PEER,'))
  })
  t.same(log.slice(0, 2), ['connection', 'connection'])
  t.match(log[2], /^drop: \{"localAddress":"127.0.0.1","localPort":PORT,"localFamily":"IPv4","remoteAddress":"127.0.0.1","remotePort":PEER,"remoteFamily":"IPv4"\}$/)
  t.equal(log[3], 'getConnections: null 2')
})

t.test("a listen error is the app's 'error'; the app is not listening", async (t) => {
  const holder = net.createServer().listen(0, '127.0.0.1')
  await once(holder, 'listening')
  t.teardown(() => holder.close())
  const log = await sameOnBoth(t, async (start) => {
    const app = http.createServer()
    start(app, holder.address().port, '127.0.0.1')
    const err = await once(app, 'error')
    return [err.code, err.syscall, app.listening, app.address()]
  })
  t.same(log, ['EADDRINUSE', 'listen', false, null])
})

t.test('serve() on a listening app throws as listen() does', async (t) => {
  const app = http.createServer()
  serve(app, 0)
  t.throws(() => serve(app, 0), { code: 'ERR_SERVER_ALREADY_LISTEN' })
  t.throws(() => app.listen(0), { code: 'ERR_SERVER_ALREADY_LISTEN' })
  await closeApp(app)
})

t.test('the listener serve() returns closes the app, and the app closes the listener', async (t) => {
  const before = stats().listeners
  const app = http.createServer()
  const listener = serve(app, 0, '127.0.0.1')
  t.equal(stats().listeners, before + 1)
  t.same(listener.address(), app.address())
  await new Promise((resolve) => listener.close(resolve))
  t.equal(app.listening, false)
  t.equal(stats().listeners, before, 'the ringpoll listener is gone')
  const again = serve(app, 0, '127.0.0.1')
  t.equal(app.listening, true, 'served again after a close')
  await closeApp(app)
  t.equal(again.listening, false)
  t.equal(stats().listeners, before)
})
