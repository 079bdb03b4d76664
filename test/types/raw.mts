// Type tests of the raw API, compiled by test/types.test.mjs (never run): every line must
// compile, except the ones marked @ts-expect-error, which must not (tsc fails on an unused one).
import { createServer, connect, Connection, Reader, Writer, Server, stats } from 'ringpoll'
import type { Address, Backend, InetAddress, UnixAddress, Handlers, ServerOptions, ListenOptions, ConnectTarget, Stats, Transport } from 'ringpoll'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const same = <A, B>(check: Equal<A, B>): Equal<A, B> => check

interface Session {
  requests: number
}

// Connection<Context>: the context is typed, with no cast.
const server = createServer<Session>({
  onConnect(conn) {
    conn.context = { requests: 0 }
  },
  onData(conn) {
    conn.context.requests++
    conn.write(conn.reader.next(conn.reader.length))
    conn.reader.release()
  },
  onClose(conn, err) {
    same<typeof conn.context, Session>(true)
    if (err !== undefined) console.log(err.code, err.errno, err.syscall)
  },
  backend: 'epoll',
})
same<typeof server, Server<Session>>(true)

createServer<Session>({
  onData(conn) {
    // @ts-expect-error the context is a Session, which has no `name`
    conn.context.name = 'x'
  },
})

// Without a Context the slot is unknown, as before: using it needs a check.
createServer({
  onData(conn) {
    same<typeof conn.context, unknown>(true)
    // @ts-expect-error unknown has no members
    conn.context.requests++
  },
})

// A Connection<Session> still passes where a plain Connection is taken.
function describe(conn: Connection): string {
  return `${conn.remoteAddress}:${conn.remotePort}`
}
const sessionHandlers: Handlers<Session> = { onConnect: (conn) => void describe(conn) }
createServer(sessionHandlers)

// listen() is typed by its argument.
async function listening(): Promise<void> {
  const inet = await server.listen({ port: 0, host: '127.0.0.1' })
  same<typeof inet, InetAddress>(true)
  console.log(inet.port, inet.family)
  const any = await server.listen()
  same<typeof any, InetAddress>(true)
  const unix = await server.listen({ path: '/tmp/x.sock' })
  same<typeof unix, UnixAddress>(true)
  // @ts-expect-error a path listen has no port
  console.log(unix.port)
  const options: ListenOptions = Math.random() > 0.5 ? { port: 0 } : { path: '/tmp/y.sock' }
  const either = await server.listen(options)
  same<typeof either, Address>(true)
  // @ts-expect-error the typo of port
  await server.listen({ prot: 80 })
  // @ts-expect-error a path and a port at once
  await server.listen({ path: '/tmp/z.sock', port: 80 })
  const shm = await server.listen({ path: '/tmp/s.sock', shm: true })
  same<typeof shm, UnixAddress>(true)
  // @ts-expect-error shm is for Unix sockets
  await server.listen({ port: 0, shm: true })
  await server.close({ timeout: 1000 })
  await server[Symbol.asyncDispose]()
}

// connect<Context>() resolves to a typed connection.
async function connecting(): Promise<void> {
  const conn = await connect<Session>({ port: 80, host: '127.0.0.1', timeout: 1000 }, { noDelay: true, onData(c) { c.context.requests++ } })
  same<typeof conn, Connection<Session>>(true)
  await connect({ path: '/tmp/x.sock' })
  // @ts-expect-error the typo of port
  await connect({ prot: 80 })
  // @ts-expect-error a port is a number here
  await connect({ port: '80' })
  const target: ConnectTarget = { path: '/tmp/x.sock' }
  await connect(target)
  const lane = await connect({ path: '/tmp/s.sock', shm: true })
  same<typeof lane.transport, Transport>(true)
  same<Transport, 'tcp' | 'unix' | 'shm'>(true)
  // @ts-expect-error shm is for Unix sockets
  await connect({ port: 80, shm: true })
}

// Backend is exported and checked.
const backend: Backend = 'io_uring'
const options: ServerOptions = { backend }
// @ts-expect-error not a backend
createServer({ backend: 'kqueue' })
createServer(options)

const s: Stats = stats()
console.log(s.backend, s.spanCopies)

// Internals are not part of the published types.
declare const conn: Connection
declare const reader: Reader
declare const writer: Writer
// @ts-expect-error internal
conn._data()
// @ts-expect-error internal
conn._closed(0, 0, 0)
// @ts-expect-error internal
conn._peerEnded()
// @ts-expect-error internal
conn._drained()
// @ts-expect-error internal
conn.writable()
// @ts-expect-error internal
conn.dropped(1)
// @ts-expect-error internal
console.log(conn.id)
// @ts-expect-error internal
console.log(conn.live)
// @ts-expect-error internal
reader._append(Buffer.alloc(1), 0, 1)
// @ts-expect-error internal
reader._detach()
// @ts-expect-error internal
server._accept(1)
// @ts-expect-error connections are made by servers and connect(), not by the application
new Connection()
// @ts-expect-error likewise readers
new Reader()
// @ts-expect-error and writers
new Writer()
console.log(writer.malloc(4).length)

export { listening, connecting }
