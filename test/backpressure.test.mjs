// Backpressure both ways: write() says false past the high-water mark and onDrain follows once the
// peer reads; pause()/resume() and maxInput stop and restart reading.
import t from 'tap'
import { createServer } from 'ringpoll'
import { allChunksBack, netConnect, payload, sleep, until } from './helpers/util.mjs'

const RING_BYTES = 256 * 16 * 1024  // io_uring's buffer ring at its largest: 256 chunks (native/uring_backend.cc)

t.test('a peer that does not read: write returns false, memory stays bounded, drain follows', async (t) => {
  const HWM = 64 * 1024
  const PIECE = 16384
  // More than loopback's socket buffers on both sides can absorb.
  const data = payload(48 * 1024 * 1024)
  let offset = 0
  let falses = 0
  let drains = 0
  let maxBuffered = 0
  const pump = (conn) => {
    while (offset < data.length) {
      const piece = data.subarray(offset, offset + PIECE)
      offset += piece.length
      const ok = conn.write(piece)
      maxBuffered = Math.max(maxBuffered, conn.bufferedAmount)
      if (!ok) {
        falses++
        return
      }
    }
    conn.end()
  }
  const s = createServer({
    highWaterMark: HWM,
    onConnect: pump,
    onDrain(conn) {
      drains++
      if (conn.bufferedAmount >= HWM) t.fail('drain above the high-water mark')
      pump(conn)
    },
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.pause()
  // Wait until the kernel buffers are full and the writer has stopped for good.
  let last = -1
  let still = 0
  await until(() => {
    still = falses > 0 && offset === last ? still + 1 : 0
    last = offset
    return still >= 50 // no progress over 50 polls in a row
  }, 'the writer to stall', 20000)
  t.ok(offset < data.length, 'the writer stopped before the end')
  await sleep(50)
  t.equal(offset, last, 'nothing more is written while the peer does not read')
  t.ok(maxBuffered < HWM + PIECE, `buffered at most ${maxBuffered} bytes (high-water mark ${HWM})`)
  const parts = []
  socket.on('data', (d) => parts.push(d))
  socket.resume()
  await new Promise((resolve) => socket.on('end', resolve))
  t.ok(drains > 0, `${drains} drains after the peer read`)
  t.ok(Buffer.concat(parts).equals(data), 'every byte arrived in order')
  socket.destroy()
  await s.close()
})

t.test('pause() stops onData and resume() delivers what arrived', async (t) => {
  const seen = []
  let conn
  const s = createServer({
    onConnect(c) {
      conn = c
      c.pause()
    },
    onData(c) {
      seen.push(c.reader.readString(c.reader.length))
      c.reader.release()
    },
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  await until(() => conn, 'accept')
  socket.write('while paused')
  await sleep(50)
  t.same(seen, [], 'no onData while paused')
  conn.resume()
  await until(() => seen.join('') === 'while paused', 'data after resume')
  socket.write(' and after')
  await until(() => seen.join('') === 'while paused and after', 'more data')
  socket.destroy()
  await s.close()
})

t.test('unreleased input past maxInput stops reading until released', async (t) => {
  const MAX = 256 * 1024
  let conn
  const s = createServer({ maxInput: MAX, onConnect: (c) => (conn = c) })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  const data = payload(16 * 1024 * 1024)
  socket.write(data)
  await until(() => conn && conn.reader.length >= MAX, 'input to reach maxInput')
  await sleep(50)
  const held = conn.reader.length
  // epoll stops within one read budget; io_uring's multishot receive within what its buffer ring
  // holds (the kernel may fill every free buffer before the cancel arrives).
  const slack = s.backend === 'io_uring' ? RING_BYTES : 256 * 1024
  t.ok(held < MAX + slack, `held ${held} bytes (limit ${MAX} plus ${slack})`)
  // Consume and release in steps until everything has arrived.
  const received = []
  await until(() => {
    const { reader } = conn
    if (reader.length > 0) {
      received.push(reader.readBuffer(reader.length))
      reader.release()
    }
    return received.reduce((n, b) => n + b.length, 0) === data.length
  }, 'all input after releases', 10000)
  t.ok(Buffer.concat(received).equals(data), 'nothing lost while reading was stopped')
  socket.destroy()
  await s.close()
  await allChunksBack(t)
})
