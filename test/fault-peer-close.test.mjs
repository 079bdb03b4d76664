// Peers that go away while output is in flight: a reset in the middle of a large write, a FIN
// while output is queued past the high-water mark, both sides closing at once with data moving both
// ways. Nothing is lost without being reported, and nothing is left behind.
// (peer-close.test.mjs covers FIN and RST while idle, and FIN with a small output queued.)
import t from 'tap'
import net from 'node:net'
import { createServer, connect, stats } from 'ringpoll'
import { liveCounter } from './helpers/gc.mjs'
import { allChunksBack, netConnect, payload, until } from './helpers/util.mjs'

const LOST = ['ECONNRESET', 'EPIPE']

t.test('RST from the peer in the middle of a large write', async (t) => {
  const data = payload(64 << 20)
  const tracked = liveCounter()
  const closes = []
  const s = createServer({
    highWaterMark: 1 << 30,
    onConnect(c) {
      c.write('head') // copied
      const big = Buffer.from(data) // linked in place: must be let go of after the reset
      tracked.track(big)
      c.write(big)
      c.write('tail')
    },
    onClose: (c, err) => closes.push(err?.code),
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  const parts = []
  let got = 0
  await new Promise((resolve) => {
    socket.on('data', (d) => {
      parts.push(d)
      got += d.length
      if (got >= 1 << 20) resolve()
    })
  })
  socket.resetAndDestroy()
  await until(() => closes.length === 1, 'onClose')
  t.ok(LOST.includes(closes[0]), `the server's onClose reports the loss (${closes[0]})`)
  const received = Buffer.concat(parts)
  t.ok(received.subarray(0, 4).equals(Buffer.from('head')) && received.subarray(4).equals(data.subarray(0, got - 4)),
    'what arrived is an intact prefix')
  await s.close()
  t.equal(stats().connections, 0)
  await allChunksBack(t, 'every chunk is back')
  t.equal(await tracked.live(), 0, 'the linked buffer was let go of')
})

t.test('a ringpoll client whose large write is cut by a reset', async (t) => {
  const server = net.createServer((socket) => {
    let got = 0
    socket.on('data', (d) => {
      got += d.length
      if (got >= 1 << 20) socket.resetAndDestroy()
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  let closed
  const conn = await connect({ port: server.address().port, host: '127.0.0.1' }, {
    highWaterMark: 1 << 30,
    onClose: (c, err) => (closed = err?.code ?? 'clean'),
  })
  conn.write(payload(32 << 20))
  await until(() => closed !== undefined, 'onClose')
  t.ok(LOST.includes(closed), `onClose reports the loss (${closed})`)
  t.equal(conn.write('more'), false, 'a write after the reset is dropped, without a throw')
  server.close()
  await allChunksBack(t)
})

t.test('FIN while output is queued past the high-water mark: all delivered, or the loss reported', async (t) => {
  const data = payload(8 << 20)
  const PIECE = 8192
  let offset = 0
  let closeErr = 'open'
  const pump = (c) => {
    while (offset < data.length) {
      const ok = c.write(data.subarray(offset, offset + PIECE))
      offset += PIECE
      if (!ok) return
    }
    c.end()
  }
  const s = createServer({
    highWaterMark: 64 * 1024,
    onData(c) {
      c.reader.skip(c.reader.length)
      c.reader.release()
      if (offset === 0) pump(c)
    },
    onDrain: pump,
    onClose: (c, err) => (closeErr = err),
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
  const parts = []
  socket.on('data', (d) => parts.push(d))
  socket.end('go') // FIN right behind the request: the answer is queued when the FIN arrives
  await new Promise((resolve) => socket.on('close', resolve))
  await until(() => closeErr !== 'open', 'the server side to close')
  const received = Buffer.concat(parts)
  t.ok(data.subarray(0, received.length).equals(received), 'what arrived is an intact prefix')
  if (received.length === data.length) t.pass('every byte was delivered')
  else t.ok(closeErr instanceof Error, `${data.length - received.length} bytes missing and reported: ${closeErr?.code}`)
  await s.close()
})

t.test('both sides close at once with data moving both ways', async (t) => {
  const closes = []
  const both = (side) => ({
    onConnect(c) {
      c.write(payload(300000)) // queued in both directions when the closes happen
      if (side === 'server') setImmediate(() => c.close())
    },
    onData(c) {
      c.reader.skip(c.reader.length)
      c.reader.release()
    },
    onClose: (c, err) => closes.push([side, err?.code ?? 'clean']),
  })
  const s = createServer(both('server'))
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  for (let i = 0; i < 20; i++) {
    const conn = await connect({ port, host: '127.0.0.1' }, both('client'))
    setImmediate(() => conn.close())
  }
  await until(() => closes.length === 40, 'every close')
  const codes = new Set(closes.map(([, code]) => code))
  for (const code of codes) t.ok(['clean', 'ERR_UNSENT_DATA', ...LOST].includes(code), `close reason ${code}`)
  t.equal(closes.filter(([side]) => side === 'server').length, 20, 'one close per server connection')
  await s.close()
  t.equal(stats().connections, 0)
  await allChunksBack(t)
})
