// A fast writer against a slow reader and against a reader that never reads: the queued output,
// and the slab memory under it, stay within the high-water mark plus one chunk, and every byte
// arrives in order once the reader catches up. (backpressure.test.mjs covers write() returning
// false and onDrain against a paused node:net socket.)
import t from 'tap'
import net from 'node:net'
import { createServer, connect, stats } from 'ringpoll'
import { payload, sleep, until } from './helpers/util.mjs'

const HWM = 64 * 1024
const PIECE = 4096 // copied into output memory, so the output chain is all slab chunks
const CHUNK = 16 * 1024 // kChunkSize in native/slab.h

/** A server that writes `data` as fast as write() allows, sampling its output queue as it goes. */
async function fastWriter(t, data) {
  const seen = { maxBuffered: 0, maxChunks: 0, drains: 0, done: false }
  let offset = 0
  const pump = (c) => {
    while (offset < data.length) {
      const ok = c.write(data.subarray(offset, offset + PIECE))
      offset += PIECE
      seen.maxBuffered = Math.max(seen.maxBuffered, c.bufferedAmount)
      seen.maxChunks = Math.max(seen.maxChunks, stats().chunksInUse)
      if (!ok) return
    }
    c.end()
    seen.done = true
  }
  const s = createServer({
    highWaterMark: HWM,
    onConnect: pump,
    onDrain(c) {
      seen.drains++
      pump(c)
    },
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => s.close({ timeout: 100 }))
  return { port, seen, progress: () => offset }
}

function checkBounds(t, seen) {
  t.ok(seen.maxBuffered < HWM + CHUNK, `queued output peaked at ${seen.maxBuffered} bytes (HWM ${HWM} + one chunk)`)
  // The chunks at both ends of the queue are partly used: one chunk more than the bytes need.
  t.ok(seen.maxChunks * CHUNK <= HWM + 2 * CHUNK, `at most ${seen.maxChunks} chunks of output memory`)
}

t.test('a slow node:net reader', async (t) => {
  const data = payload(8 << 20)
  const { port, seen } = await fastWriter(t, data)
  const slabsBefore = stats().slabs
  const socket = net.connect({ port, host: '127.0.0.1', highWaterMark: 4096 })
  const parts = []
  socket.on('data', (d) => {
    parts.push(d)
    socket.pause()
    setImmediate(() => socket.resume()) // one small read per loop turn
  })
  await new Promise((resolve) => socket.on('end', resolve))
  socket.destroy()
  t.ok(Buffer.concat(parts).equals(data), 'every byte arrived in order')
  t.ok(seen.drains > 0, `${seen.drains} drains`)
  checkBounds(t, seen)
  // On io_uring the buffer ring is refilled from the pool while used-up buffers still hold input,
  // which may take one slab more than the ring's own.
  const spare = stats().backend === 'io_uring' ? 1 : 0
  t.ok(stats().slabs <= Math.max(slabsBefore, 1) + spare, 'no slab was added for the queue')
})

t.test('a ringpoll client that never reads, then reads everything', async (t) => {
  // More than loopback socket buffers can hold (they grow to several MB), so the writer must stall.
  const data = payload(16 << 20, 3)
  const { port, seen, progress } = await fastWriter(t, data)
  const parts = []
  let ended = false
  // The client runs on epoll: paused, it reads nothing, so the chunks in use are the server's
  // output alone (a paused io_uring client may hold up to its buffer ring's worth of input).
  const conn = await connect({ port, host: '127.0.0.1' }, {
    backend: 'epoll',
    onData(c) {
      parts.push(c.reader.readBuffer(c.reader.length))
      c.reader.release()
    },
    onEnd: () => (ended = true),
  })
  conn.pause()
  // The writer stalls once the socket buffers and its queue are full; wait for no progress.
  let last = -1
  let still = 0
  await until(() => {
    still = progress() === last ? still + 1 : 0
    last = progress()
    return still >= 50
  }, 'the writer to stall', 20000)
  t.ok(progress() < data.length, 'the writer stopped short of the end')
  await sleep(20)
  checkBounds(t, seen)
  conn.resume()
  await until(() => ended, 'the end of the stream', 20000)
  t.ok(Buffer.concat(parts).equals(data), 'every byte arrived in order')
  // Reading, the client (in this process) holds input chunks too, so only the queue is checked.
  t.ok(seen.maxBuffered < HWM + CHUNK, `queued output peaked at ${seen.maxBuffered} bytes (HWM ${HWM} + one chunk)`)
})
