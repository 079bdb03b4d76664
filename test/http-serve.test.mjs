// node:http served on ringpoll sockets: keep-alive, pipelining, request bodies, Connection: close,
// clients that go away mid-response, and close() draining.
import t from 'tap'
import http from 'node:http'
import net from 'node:net'
import { createHash } from 'node:crypto'
import { Socket } from 'ringpoll/net'
import { serveHttp, request } from './helpers/http-serve.mjs'
import { once } from './helpers/net-compare.mjs'
import { payload, until } from './helpers/util.mjs'

const sha = (b) => createHash('sha256').update(b).digest('hex')

t.test('node:http gets ringpoll sockets, and keep-alive reuses one of them', async (t) => {
  const sockets = new Set()
  const { app, url } = await serveHttp(t, (req, res) => {
    sockets.add(req.socket)
    res.end(`${req.method} ${req.url}`)
  })
  let connections = 0
  app.on('connection', (socket) => {
    connections++
    t.ok(socket instanceof Socket, 'a ringpoll/net Socket')
  })
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  for (const path of ['/a', '/b', '/c']) {
    const { res, body } = await request(url + path, { agent })
    t.equal(res.statusCode, 200)
    t.equal(String(body), `GET ${path}`)
    t.equal(res.headers.connection, 'keep-alive')
  }
  t.equal(connections, 1, 'one connection for three requests')
  t.equal(sockets.size, 1)
})

t.test('pipelining: requests sent together are answered in order', async (t) => {
  const { port } = await serveHttp(t, (req, res) => {
    // The first answer is the slowest: order must come from the parser, not from timing.
    setTimeout(() => res.end(`body of ${req.url}`), req.url === '/1' ? 30 : 0)
  })
  const socket = net.connect(port, '127.0.0.1')
  socket.write(['/1', '/2', '/3'].map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''))
  let text = ''
  socket.on('data', (d) => (text += d))
  await until(() => (text.match(/body of \/\d/g) ?? []).length === 3, 'three responses')
  t.same(text.match(/body of \/\d/g), ['body of /1', 'body of /2', 'body of /3'])
  t.equal(text.match(/HTTP\/1.1 200 OK/g).length, 3)
  socket.destroy()
})

t.test('POST bodies: Content-Length and chunked', async (t) => {
  const { url } = await serveHttp(t, (req, res) => {
    const parts = []
    req.on('data', (d) => parts.push(d))
    req.on('end', () => {
      const body = Buffer.concat(parts)
      res.end(JSON.stringify({ length: body.length, sha: sha(body), chunked: req.headers['transfer-encoding'] === 'chunked' }))
    })
  })
  const data = payload(3 << 20)
  const sized = await request(url, { method: 'POST', headers: { 'content-length': data.length } }, data)
  t.same(JSON.parse(sized.body), { length: data.length, sha: sha(data), chunked: false })
  const chunked = await request(url, { method: 'POST' }, (req) => {
    for (let i = 0; i < data.length; i += 100_000) req.write(data.subarray(i, i + 100_000))
    req.end()
  })
  t.same(JSON.parse(chunked.body), { length: data.length, sha: sha(data), chunked: true })
})

t.test('Connection: close ends the connection after the response', async (t) => {
  const { port } = await serveHttp(t, (req, res) => res.end('last one'))
  const socket = net.connect(port, '127.0.0.1')
  socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  let text = ''
  socket.on('data', (d) => (text += d))
  await once(socket, 'end')
  t.match(text, /^HTTP\/1.1 200 OK\r\n/)
  t.match(text, /\r\nConnection: close\r\n/i)
  t.match(text, /last one$/)
})

t.test('Connection: close with a large response: all of it is sent before the close', async (t) => {
  const data = payload(8 << 20)
  const { port } = await serveHttp(t, (req, res) => res.end(data))
  const socket = net.connect(port, '127.0.0.1')
  socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  socket.pause() // still queued when node:http destroys the socket after the response
  await new Promise((resolve) => setTimeout(resolve, 50))
  const parts = []
  socket.on('data', (d) => parts.push(d))
  socket.resume()
  await once(socket, 'end')
  const text = Buffer.concat(parts)
  const body = text.subarray(text.indexOf('\r\n\r\n') + 4)
  t.equal(body.length, data.length)
  t.equal(sha(body), sha(data))
})

t.test('a client that aborts mid-response: the server sees it and goes on serving', async (t) => {
  let closedEarly
  const aborted = new Promise((resolve) => (closedEarly = resolve))
  const { url } = await serveHttp(t, (req, res) => {
    if (req.url === '/small') return res.end('still serving')
    const block = Buffer.alloc(64 * 1024, 'z')
    let sent = 0
    const pump = () => {
      while (sent < 256 << 20 && !res.destroyed) {
        sent += block.length
        if (!res.write(block)) return res.once('drain', pump)
      }
    }
    res.on('close', () => closedEarly({ finished: res.writableFinished, socketDestroyed: req.socket.destroyed }))
    pump()
  })
  const req = http.get(url + '/big', (res) => {
    res.once('data', () => req.destroy())
  })
  req.on('error', () => {})
  t.same(await aborted, { finished: false, socketDestroyed: true })
  const { body } = await request(url + '/small')
  t.equal(String(body), 'still serving')
})

t.test('close(): stops accepting, lets the request in flight finish, then closes', async (t) => {
  let respond
  const { app, listener, port, url } = await serveHttp(t, (req, res) => {
    respond = () => res.end('finished after close()')
  })
  const log = []
  app.on('close', () => log.push('http server close'))
  const agent = new http.Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const inFlight = request(url, { agent })
  await until(() => respond !== undefined, 'the request')
  const closed = new Promise((resolve) => listener.close(() => resolve(log.push('listener close'))))
  const refused = await new Promise((resolve) => net.connect(port, '127.0.0.1').on('error', resolve))
  t.equal(refused.code, 'ECONNREFUSED', 'no new connections')
  respond()
  const { body } = await inFlight
  t.equal(String(body), 'finished after close()')
  agent.destroy() // the idle keep-alive connection goes, and with it the last one
  await closed
  await until(() => log.length === 2, "the http server's close")
  // listener.close(cb) is the http server's close(cb): cb is one of its 'close' listeners.
  t.same(log, ['http server close', 'listener close'])
})
