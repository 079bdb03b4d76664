// Peer close is an event: FIN or RST reaches onClose with `active` false even when the application
// never reads; bytes sent before the FIN are delivered first; allowHalfOpen keeps writing possible.
import t from 'tap'
import net from 'node:net'
import { createServer, connect } from 'ringpoll'
import { netConnect, until } from './helpers/util.mjs'

let closeError
async function server(t, handlers) {
  const events = []
  const s = createServer({
    onConnect: (c) => events.push(['connect']),
    onEnd: (c) => events.push(['end', c.active]),
    onClose: (c, err) => {
      closeError = err
      events.push(['close', err?.code, c.active])
    },
    ...handlers(events),
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => s.close({ timeout: 100 }))
  return { port, events, s }
}

t.test('FIN from the peer while the application never reads', async (t) => {
  const { port, events } = await server(t, () => ({}))
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.end('unread bytes')
  await until(() => events.some((e) => e[0] === 'close'), 'onClose')
  t.same(events, [['connect'], ['end', false], ['close', undefined, false]])
})

t.test('RST from the peer while the application never reads', async (t) => {
  const { port, events } = await server(t, () => ({}))
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.write('some bytes')
  await until(() => events.length === 1, 'accept')
  socket.resetAndDestroy()
  await until(() => events.some((e) => e[0] === 'close'), 'onClose')
  t.same(events.at(-1), ['close', 'ECONNRESET', false])
  t.match(closeError, { code: 'ECONNRESET', syscall: 'read', errno: -104, message: 'read ECONNRESET' }, 'named as node names it')
})

t.test('bytes sent before the FIN reach onData before onClose', async (t) => {
  const { port, events } = await server(t, (events) => ({
    onData(c) {
      events.push(['data', c.reader.readString(c.reader.length)])
      c.reader.release()
    },
  }))
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.end('last words')
  await until(() => events.some((e) => e[0] === 'close'), 'onClose')
  t.same(events, [['connect'], ['data', 'last words'], ['end', false], ['close', undefined, false]])
})

t.test('allowHalfOpen: the server answers after the peer has finished', async (t) => {
  const { port, events } = await server(t, (events) => ({
    allowHalfOpen: true,
    onData(c) {
      c.reader.skip(c.reader.length)
      c.reader.release()
    },
    onEnd(c) {
      events.push(['end', c.active])
      c.write('reply after FIN')
      c.end()
    },
  }))
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
  let reply = ''
  socket.on('data', (d) => (reply += d))
  const ended = new Promise((resolve) => socket.on('end', resolve))
  socket.end('request')
  await ended
  socket.destroy()
  t.equal(reply, 'reply after FIN')
  await until(() => events.some((e) => e[0] === 'close'), 'onClose')
  t.same(events, [['connect'], ['end', false], ['close', undefined, false]])
})

t.test('without allowHalfOpen, output queued when the FIN arrives is still sent', async (t) => {
  const { port } = await server(t, () => ({
    onData(c) {
      c.write(Buffer.alloc(200000, 'x'))
      c.reader.skip(c.reader.length)
      c.reader.release()
    },
  }))
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
  let got = 0
  socket.on('data', (d) => (got += d.length))
  const ended = new Promise((resolve) => socket.on('end', resolve))
  socket.end('go')
  await ended
  t.equal(got, 200000)
})

t.test('a ringpoll client sees the server close', async (t) => {
  const s = createServer({ onConnect: (c) => c.end('bye') })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const events = []
  const conn = await connect({ port, host: '127.0.0.1' }, {
    onData(c) {
      events.push(c.reader.readString(c.reader.length))
      c.reader.release()
    },
    onEnd: () => events.push('end'),
    onClose: (c, err) => events.push(['close', err?.code, c.active]),
  })
  await until(() => events.length === 3, 'client close')
  t.same(events, ['bye', 'end', ['close', undefined, false]])
  t.equal(conn.closed, true)
  await s.close()
})

t.test('both sides closing at once', async (t) => {
  const closes = []
  const s = createServer({ onConnect: (c) => c.close(), onClose: (c, err) => closes.push(err?.code ?? 'clean') })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const conn = await connect({ port, host: '127.0.0.1' }, { onClose: (c, err) => closes.push(err?.code ?? 'clean') })
  conn.close()
  await until(() => closes.length === 2, 'both closes')
  t.equal(closes.length, 2, 'each side reported exactly one close')
  await s.close()
})
