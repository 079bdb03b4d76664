// Memory goes back: after a burst (a reader holding many MB of input, then letting go) the pool
// returns its wholly idle slabs, a few per timer sweep, towards its floor, and RSS drops with them.
// The waits are bounded; nothing asserts how long the return takes.
import t from 'tap'
import net from 'node:net'
import { createServer, stats } from 'ringpoll'
import { gc } from './helpers/gc.mjs'
import { payload, until } from './helpers/util.mjs'

const FLOOR = 1 // kSlabFloor in native/slab.h
const HELD = 24 << 20

t.test('slabs grown by a burst go back towards the floor, and RSS with them', async (t) => {
  const before = stats()
  let conn
  const server = createServer({
    maxInput: 64 << 20,
    onData: (c) => (conn = c), // holds every byte unreleased: the pool must grow
  })
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' })
  const socket = net.connect(port, '127.0.0.1', () => socket.write(payload(HELD)))
  socket.on('error', () => {})
  await until(() => conn !== undefined && conn.reader.length === HELD, 'the whole burst held in the reader', 20000)
  const grown = stats()
  t.ok(grown.slabs >= HELD / (1 << 20), `the pool grew to ${grown.slabs} slabs for ${HELD >> 20} MiB held`)
  t.ok(grown.slabsPeak >= grown.slabs, 'slabsPeak counts the most there were')
  gc()
  const rssHeld = process.memoryUsage().rss
  conn.reader.skip(conn.reader.length)
  conn.reader.release()
  conn.close()
  await server.close()
  socket.destroy()
  await until(() => stats().chunksInUse === 0, 'the chunks to come back')
  t.ok(stats().slabs > FLOOR, 'released chunks alone do not shrink the pool at once')
  // Sweeps free a few slabs each, once idle for a while; the io_uring ring keeps its chunks (the
  // burst grew it), allocated one after another, so they may straddle one slab more.
  const ring = grown.backend === 'io_uring' ? Math.ceil(stats().uringBuffers / 64) + 1 : 0
  await until(() => stats().slabs <= FLOOR + ring, 'the pool to shrink', 30000)
  const after = stats()
  t.ok(after.slabs <= FLOOR + ring, `back to ${after.slabs} slabs (floor ${FLOOR})`)
  t.ok(after.slabsFreed - before.slabsFreed >= grown.slabs - FLOOR - ring, `${after.slabsFreed - before.slabsFreed} slabs freed`)
  t.equal(after.slabsPeak, grown.slabsPeak, 'the peak stays what it was')
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  const rssAfter = process.memoryUsage().rss
  // ASan's allocator keeps freed memory in quarantine, so RSS says nothing under the sanitizer.
  const sanitized = /libasan/.test(process.env.LD_PRELOAD ?? '')
  t.ok(sanitized || rssAfter < rssHeld, `RSS went down (${(rssHeld / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB)`)
})

t.test('the pool grows again after shrinking, and the new slabs carry data intact', async (t) => {
  const data = payload(12 << 20, 7)
  let conn
  const server = createServer({ maxInput: 64 << 20, onData: (c) => (conn = c) })
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' })
  const socket = net.connect(port, '127.0.0.1', () => socket.write(data))
  socket.on('error', () => {})
  await until(() => conn !== undefined && conn.reader.length === data.length, 'the input held', 20000)
  t.ok(conn.reader.readBuffer(data.length).equals(data), 'every byte, read through fresh views of reused slab indices')
  conn.reader.release()
  conn.close()
  await server.close()
  socket.destroy()
})
