// The writer: strings in every encoding, malloc'd output memory, large buffers sent in place,
// flush() and writes from outside a handler.
import t from 'tap'
import { createServer, connect } from 'ringpoll'
import { netConnect, payload, until } from './helpers/util.mjs'

/** A node:net client receiving everything a ringpoll server sends before it ends. */
async function receiveFrom(t, onConnect) {
  const s = createServer({ onConnect })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  const parts = []
  socket.on('data', (d) => parts.push(d))
  await new Promise((resolve) => socket.on('end', resolve))
  socket.destroy()
  await s.close()
  return Buffer.concat(parts)
}

t.test('strings in several encodings, small and large', async (t) => {
  const big = 'ü'.repeat(20000) // 40,000 bytes: more than a chunk
  const got = await receiveFrom(t, (c) => {
    c.write('plain ')
    c.write('68656c6c6f', 'hex')
    c.write(' ')
    c.write('aGk=', 'base64')
    c.write(' ')
    c.write('ÿ', 'latin1')
    c.write('')
    c.write(big)
    c.end()
  })
  const want = Buffer.concat([
    Buffer.from('plain hello hi '),
    Buffer.from([0xff]),
    Buffer.from(big),
  ])
  t.ok(got.equals(want))
})

t.test('malloc hands out output memory to encode into', async (t) => {
  const got = await receiveFrom(t, (c) => {
    const small = c.writer.malloc(8)
    small.writeUInt32BE(0xcafebabe, 0)
    small.writeUInt32LE(7, 4)
    const large = c.writer.malloc(100000)
    large.fill(0x41)
    t.equal(c.writer.malloc(0).length, 0)
    c.end()
  })
  t.equal(got.length, 100008)
  t.equal(got.readUInt32BE(0), 0xcafebabe)
  t.equal(got.readUInt32LE(4), 7)
  t.ok(got.subarray(8).every((b) => b === 0x41))
})

t.test('large buffers are sent in place; small ones are copied at once', async (t) => {
  const large = payload(200000)
  const small = Buffer.from('small')
  const got = await receiveFrom(t, (c) => {
    c.write(small)
    small.fill(0) // copied already: this change must not show
    c.write(large)
    c.end()
  })
  t.ok(got.equals(Buffer.concat([Buffer.from('small'), large])))
})

t.test('writes from a timer and flush() outside a handler', async (t) => {
  const got = await receiveFrom(t, (c) => {
    setTimeout(() => {
      c.write('from a timer ')
      c.flush()
      Promise.resolve().then(() => {
        c.write('from a promise')
        c.end()
      })
    }, 5)
  })
  t.equal(got.toString(), 'from a timer from a promise')
})

t.test('end(data) sends data then FIN; a ringpoll client reads it', async (t) => {
  const s = createServer({ onConnect: (c) => c.end('goodbye') })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  let text = ''
  let closed = false
  await connect({ port, host: '127.0.0.1' }, {
    onData(c) {
      text += c.reader.readString(c.reader.length)
      c.reader.release()
    },
    onClose: () => (closed = true),
  })
  await until(() => closed, 'close')
  t.equal(text, 'goodbye')
  await s.close()
})

t.test('close() tries pending output once and reports what it could not send', async (t) => {
  const closes = []
  const s = createServer({
    highWaterMark: 1 << 30,
    onConnect(c) {
      c.write(Buffer.alloc(64 << 20)) // far more than the socket buffers take
      c.close()
    },
    onClose: (c, err) => closes.push(err?.code),
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.on('error', () => {})
  socket.pause()
  await until(() => closes.length === 1, 'onClose')
  t.same(closes, ['ERR_UNSENT_DATA'])
  socket.destroy()
  await s.close()
})
