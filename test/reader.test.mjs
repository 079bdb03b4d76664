// The no-copy reader over input that spans chunks: every method against a plain model.
import t from 'tap'
import { createServer, stats } from 'ringpoll'
import { netConnect, payload, until } from './helpers/util.mjs'

/** Resolves with a connection whose reader holds exactly `data`, sent in pieces so it spans chunks. */
async function readerWith(t, data, pieces = 7) {
  let conn
  const s = createServer({ onConnect: (c) => (conn = c) })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  t.teardown(async () => {
    socket.destroy()
    await s.close()
  })
  const step = Math.ceil(data.length / pieces)
  for (let i = 0; i < data.length; i += step) {
    socket.write(data.subarray(i, i + step))
    await until(() => conn && conn.reader.length >= Math.min(i + step, data.length), 'a piece to arrive')
  }
  return conn
}

t.test('peek, next, skip and readBuffer across chunk boundaries', async (t) => {
  const data = payload(100000)
  const conn = await readerWith(t, data)
  const r = conn.reader
  t.equal(r.length, data.length)
  const copiesBefore = stats().spanCopies
  t.ok(r.peek(40000).equals(data.subarray(0, 40000)), 'peek spanning chunks')
  t.ok(stats().spanCopies > copiesBefore, 'a spanning view is a counted copy')
  t.equal(r.length, data.length, 'peek does not advance')
  let pos = 0
  for (const n of [1, 16383, 2, 20000, 0, 5]) {
    t.ok(r.next(n).equals(data.subarray(pos, pos + n)), `next(${n})`)
    pos += n
  }
  r.skip(1000)
  pos += 1000
  const copy = r.readBuffer(30000)
  t.ok(copy.equals(data.subarray(pos, pos + 30000)), 'readBuffer')
  pos += 30000
  t.equal(r.length, data.length - pos)
  r.release()
  t.ok(copy.equals(data.subarray(pos - 30000, pos)), 'readBuffer outlives release')
  t.ok(r.next(r.length).equals(data.subarray(pos)), 'the rest')
  r.release()
  t.equal(r.length, 0)
})

t.test('indexOf over short input (the scan in JS) agrees with Buffer#indexOf and stops at the end of the input', async (t) => {
  let conn
  const s = createServer({ onConnect: (c) => (conn = c) })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  t.teardown(async () => {
    socket.destroy()
    await s.close()
  })
  const send = async (bytes, total) => {
    socket.write(bytes)
    await until(() => conn && conn.reader.length >= total, 'the bytes to arrive')
  }
  // Input read and released leaves its bytes in memory the next input may reuse: a match that
  // runs on into them must not be found.
  const earlier = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(4))
  await send(earlier, earlier.length)
  const r = conn.reader
  r.skip(r.length)
  r.release()
  await send(Buffer.from('ab\r\n'), 4)
  t.equal(r.indexOf('\r\n\r\n'), -1, 'no match past the end of the input')
  const data = Buffer.from('ab\r\ncd\r\n\r\nef\r\n\r')
  await send(data.subarray(4, 9), 9)
  await send(data.subarray(9), data.length)
  for (const pattern of ['\r\n\r\n', '\r\n', 'ab', 'f\r\n\r', 'f\r\n\r\n', 'zz', 'c', 0x0a]) {
    for (let from = 0; from <= data.length; from++) {
      t.equal(r.indexOf(pattern, from), data.indexOf(pattern, from), `indexOf(${JSON.stringify(pattern)}, ${from})`)
    }
  }
  r.skip(r.length)
  r.release()
})

t.test('views stay valid until release', async (t) => {
  const data = payload(50000, 9)
  const conn = await readerWith(t, data, 3)
  const r = conn.reader
  const view = r.next(100)
  const snapshot = Buffer.from(view)
  r.next(r.length)
  t.ok(view.equals(snapshot), 'the view still shows its bytes before release')
  r.release()
  t.equal(r.length, 0)
})

t.test('until and indexOf, including matches that span chunks', async (t) => {
  const data = Buffer.alloc(40000, 'a')
  data.write('\r\n\r\n', 16382) // straddles the first chunk boundary (16 KiB) when read at once
  data[30000] = 0x7c
  const conn = await readerWith(t, data, 1)
  const r = conn.reader
  t.equal(r.indexOf('\r\n\r\n'), data.indexOf('\r\n\r\n'))
  t.equal(r.indexOf(Buffer.from('\n\r')), data.indexOf(Buffer.from('\n\r')))
  t.equal(r.indexOf(0x7c), 30000)
  t.equal(r.indexOf('a', 30001), 30001)
  t.equal(r.indexOf('zz'), -1)
  t.equal(r.indexOf(''), 0)
  const line = r.until('\n')
  t.equal(line.length, data.indexOf('\n') + 1)
  t.ok(line.equals(data.subarray(0, line.length)))
  t.equal(r.until(0x7c).length, 30000 - line.length + 1)
  t.equal(r.until('#'), null, 'null when the byte has not arrived')
  t.equal(r.length, data.length - 30001, 'a failed until consumes nothing')
})

t.test('readString and the integer readers, spanning chunks', async (t) => {
  const data = Buffer.alloc(16384 + 64)
  const text = 'héllo wörld'
  let off = 16384 - 3
  data.writeUInt32BE(0xdeadbeef, off) // spans the boundary
  data.writeUInt16LE(0xbeef, off + 4)
  data.writeUInt32LE(0x01020304, off + 6)
  data.writeUInt16BE(0x0506, off + 10)
  data[off + 12] = 0xff
  data.write(text, off + 13)
  const conn = await readerWith(t, data, 1)
  const r = conn.reader
  r.skip(off)
  t.equal(r.readUInt32BE(), 0xdeadbeef)
  t.equal(r.readUInt16LE(), 0xbeef)
  t.equal(r.readUInt32LE(), 0x01020304)
  t.equal(r.readUInt16BE(), 0x0506)
  t.equal(r.readUInt8(), 0xff)
  t.equal(r.readString(Buffer.byteLength(text)), text)
  t.equal(r.readString(0), '')
  t.equal(r.readString(2, 'hex'), '0000')
})

t.test('everything is released when the connections close', async (t) => {
  await until(() => stats().chunksInUse === 0, 'chunks to return')
  t.equal(stats().chunksInUse, 0)
})
