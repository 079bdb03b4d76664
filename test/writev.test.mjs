// writev: from 1 to 5,000 segments, mixed sizes including empty ones, arrive intact and in order,
// and go out in vectored calls (fewer system calls than segments).
import t from 'tap'
import { createServer, stats } from 'ringpoll'
import { netConnect, payload, until } from './helpers/util.mjs'

const SIZES = [0, 1, 100, 4096, 0, 65536, 7, 9000, 0, 300]

function segments(count, seed) {
  return Array.from({ length: count }, (_, i) => payload(SIZES[(i + seed) % SIZES.length], i + seed))
}

async function sendAndReceive(t, buffers) {
  let server
  const sent = new Promise((resolve) => {
    server = createServer({
      onConnect(conn) {
        conn.writev(buffers)
        conn.end()
        resolve()
      },
    })
  })
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' })
  const before = stats().writeCalls
  const socket = await netConnect({ port, host: '127.0.0.1' })
  const parts = []
  socket.on('data', (d) => parts.push(d))
  await sent
  await new Promise((resolve) => socket.on('end', resolve))
  socket.destroy()
  await server.close()
  return { received: Buffer.concat(parts), calls: stats().writeCalls - before }
}

for (const count of [1, 2, 16, 1023, 1024, 1025, 5000]) {
  t.test(`writev of ${count} segments`, async (t) => {
    const buffers = segments(count, count)
    const { received, calls } = await sendAndReceive(t, buffers)
    t.equal(received.length, buffers.reduce((n, b) => n + b.length, 0), 'every byte arrived')
    t.ok(received.equals(Buffer.concat(buffers)), 'in order and intact')
    if (count > 16) t.ok(calls < count / 2, `${calls} write calls for ${count} segments`)
  })
}

t.test('large segments are sent in place in calls of at most IOV_MAX segments', async (t) => {
  // Alternating large (linked) and small (copied) segments: about 2,400 iovecs, so more than
  // IOV_MAX (1024) and at least three vectored calls.
  const buffers = []
  for (let i = 0; i < 1200; i++) buffers.push(payload(9000, i), payload(10, i))
  const { received, calls } = await sendAndReceive(t, buffers)
  t.ok(received.equals(Buffer.concat(buffers)), 'intact and in order')
  t.ok(calls >= 3, `${calls} calls (needs at least 3 at IOV_MAX per call)`)
})

t.test('writev of nothing and of empty buffers is harmless', async (t) => {
  const { received } = await sendAndReceive(t, [])
  t.equal(received.length, 0)
  const second = await sendAndReceive(t, [Buffer.alloc(0), new Uint8Array(0)])
  t.equal(second.received.length, 0)
})

t.test('all chunks are back', async (t) => {
  await until(() => stats().chunksInUse === 0, 'chunks to return')
  t.equal(stats().connections, 0)
})
