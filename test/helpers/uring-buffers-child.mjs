// A child process for uring-buffers.test.mjs, so that the io_uring buffer ring starts afresh: an
// io_uring server and node:net clients on loopback; prints one JSON line with the ring's size
// (stats().uringBuffers) at start and at the end, and whether every byte arrived intact, in order.
//
//   node uring-buffers-child.mjs small   64 connections, 20 round trips of 1 KiB each (echoed)
//   node uring-buffers-child.mjs bulk    32 connections send 2 MiB each at once; the server holds it all
import net from 'node:net'
import { createServer, stats } from 'ringpoll'
import { payload, until } from './util.mjs'

const mode = process.argv[2]
const CONNECTIONS = mode === 'small' ? 64 : 32

async function small(port) {
  const client = (i) =>
    new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1')
      let intact = true
      let round = 0
      let message = payload(1024, i * 100 + round + 1)
      let got = []
      let length = 0
      socket.on('error', reject)
      socket.on('connect', () => socket.write(message))
      socket.on('data', (d) => {
        got.push(d)
        length += d.length
        if (length < message.length) return
        intact &&= Buffer.concat(got).equals(message)
        got = []
        length = 0
        if (++round === 20) {
          socket.end()
          resolve(intact)
          return
        }
        message = payload(1024, i * 100 + round + 1)
        socket.write(message)
      })
    })
  return Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => client(i)))
}

// Each client's first 4 bytes say which payload follows, so the server can check its connection.
async function bulk(port, conns) {
  const SIZE = 2 << 20
  const sockets = Array.from({ length: CONNECTIONS }, (_, i) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const head = Buffer.alloc(4)
      head.writeUInt32BE(i)
      socket.write(head)
      socket.write(payload(SIZE, i + 1))
    })
    socket.on('error', () => {})
    return socket
  })
  await until(() => conns.size === CONNECTIONS && [...conns].every((c) => c.reader.length === SIZE + 4), 'every byte held', 30000)
  const grown = stats().uringBuffers
  const intact = [...conns].map((c) => {
    const i = c.reader.readUInt32BE()
    return c.reader.readBuffer(SIZE).equals(payload(SIZE, i + 1)) && c.reader.length === 0
  })
  for (const c of conns) {
    c.reader.release()
    c.close()
  }
  for (const s of sockets) s.destroy()
  return { intact, grown }
}

const conns = new Set()
const server = createServer({
  backend: 'io_uring',
  onConnect: (c) => conns.add(c),
  onData(c) {
    if (mode !== 'small') return // bulk: holds every byte unreleased
    c.write(c.reader.next(c.reader.length))
    c.reader.release()
  },
})
const { port } = await server.listen({ port: 0, host: '127.0.0.1' })
const { backend } = server
const start = stats().uringBuffers
const result = mode === 'small' ? { intact: await small(port), grown: stats().uringBuffers } : await bulk(port, conns)
await server.close()
await until(() => stats().chunksInUse === 0, 'every chunk back')
console.log(JSON.stringify({ backend, start, ...result, chunksInUse: stats().chunksInUse }))
