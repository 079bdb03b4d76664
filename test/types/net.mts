// Type tests of ringpoll/net and ringpoll/http, compiled by test/types.test.mjs (never run): every
// line must compile, except the ones marked @ts-expect-error, which must not.
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect, createConnection, createServer, Server, Socket } from 'ringpoll/net'
import type { ConnectOptions, ListenOptions } from 'ringpoll/net'
import { serve, HttpListener } from 'ringpoll/http'

const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
  const s: Socket = socket
  s.end('bye')
})

// listen() in net's forms.
server.listen(0)
server.listen(0, '127.0.0.1')
server.listen(0, '127.0.0.1', 511)
server.listen(0, '127.0.0.1', () => {})
server.listen(0, '127.0.0.1', 511, () => {})
server.listen(0, 511, () => {})
server.listen(0, () => {})
server.listen(null)
server.listen('/tmp/x.sock')
server.listen('/tmp/x.sock', 511, () => {})
server.listen('/tmp/x.sock', () => {})
server.listen({ port: 0, host: '::1', backlog: 10, ipv6Only: true })
server.listen({ path: '/tmp/x.sock' }, () => {})
server.listen(() => {})
server.listen()
const address = server.address()
if (address !== null && typeof address !== 'string') console.log((address satisfies AddressInfo).port)
// @ts-expect-error the typo of port
server.listen({ prot: 80 })
// @ts-expect-error net needs the property port or path
server.listen({ host: '127.0.0.1' })
// @ts-expect-error a callback comes last
server.listen(() => {}, 0)
// @ts-expect-error not a listen form
server.listen(true)

// connect() and createConnection() in net's forms.
const sockets: Socket[] = [
  connect(80),
  connect(80, '127.0.0.1'),
  connect(80, '127.0.0.1', () => {}),
  connect(80, () => {}),
  connect('/tmp/x.sock'),
  connect('/tmp/x.sock', () => {}),
  connect({ port: 80, host: '127.0.0.1', timeout: 1000, noDelay: true, allowHalfOpen: true }),
  connect({ path: '/tmp/x.sock' }, () => {}),
  createConnection({ port: '80' }),
  new Socket().connect(80, '127.0.0.1'),
  new Socket().connect({ path: '/tmp/x.sock' }),
]
console.log(sockets.length)
// @ts-expect-error the typo of port
connect({ prot: 80 })
// @ts-expect-error a port or a path is needed
createConnection({ host: '127.0.0.1' })
// @ts-expect-error the typo of port, on a Socket too
new Socket().connect({ prot: 80 })
// @ts-expect-error no arguments
connect()

const connectOptions: ConnectOptions = { path: '/tmp/x.sock' }
const listenOptions: ListenOptions = { port: undefined }
connect(connectOptions)
server.listen(listenOptions)

// serve() takes listen()'s forms after the http.Server.
const app = createHttpServer((_req, res) => res.end('ok'))
const listeners: HttpListener[] = [
  serve(app, 0),
  serve(app, 3000, '127.0.0.1', () => {}),
  serve(app, { port: 0, host: '127.0.0.1' }, () => {}),
  serve(app, '/tmp/http.sock'),
]
listeners[0]!.close(() => {})
// @ts-expect-error the typo of port
serve(app, { prot: 80 })
// @ts-expect-error serve() needs an http.Server
serve({}, 0)

// Internals are not part of the published types.
declare const socket: Socket
// @ts-expect-error internal
socket._attach
// @ts-expect-error internal
socket._input
// @ts-expect-error internal
server._connections
// @ts-expect-error internal
server._emitCloseIfDrained()
