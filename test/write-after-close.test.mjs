// The write rule (docs/API.md): after the peer, an error or a timeout has closed the connection,
// write() returns false and throws nothing (onClose reports the cause, and bytes written in the
// batch that carries the close as ERR_UNSENT_DATA); after the application's own end() or close(),
// writes throw with node's codes. (fault-peer-close.test.mjs has writes dropped in the batch that
// carries the close, reported in onClose.)
import t from 'tap'
import { createServer, connect } from 'ringpoll'
import { netConnect, until } from './helpers/util.mjs'

t.test('a write from a timer after the peer closed: false, no throw', async (t) => {
  const results = []
  let closeErr = 'open'
  const s = createServer({
    onConnect(c) {
      const timer = setInterval(() => {
        if (!c.closed) return
        clearInterval(timer)
        results.push(c.write('late'), c.write(Buffer.alloc(100000)), c.writev(['a', Buffer.from('b')]))
        c.end('bye') // nothing to end: no throw either
        results.push(c.writer.malloc(10).length)
      }, 1)
    },
    onClose: (c, err) => (closeErr = err),
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.end()
  await until(() => results.length === 4, 'the timer writes')
  t.same(results, [false, false, false, 10], 'every write returned false; malloc gave memory that goes nowhere')
  t.equal(closeErr, undefined, 'onClose reported a clean close by the peer')
  await s.close()
})

t.test('a write from a timer after the peer reset: false, no throw', async (t) => {
  let conn
  let closeErr
  const s = createServer({
    onConnect: (c) => (conn = c),
    onClose: (c, err) => (closeErr = err),
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  await until(() => conn !== undefined, 'accept')
  socket.resetAndDestroy()
  await until(() => conn.closed, 'onClose')
  t.equal(closeErr?.code, 'ECONNRESET')
  await new Promise((resolve) => setTimeout(resolve, 1))
  t.equal(conn.write('late'), false)
  await s.close()
})

t.test("after the application's own end() or close(), writes throw node's codes", async (t) => {
  const s = createServer({})
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const a = await connect({ port, host: '127.0.0.1' })
  a.end()
  t.throws(() => a.write('x'), { code: 'ERR_STREAM_WRITE_AFTER_END' })
  const b = await connect({ port, host: '127.0.0.1' })
  b.close()
  t.throws(() => b.write('x'), { code: 'ERR_STREAM_DESTROYED' })
  t.throws(() => b.end('x'), { code: 'ERR_STREAM_DESTROYED' })
  t.doesNotThrow(() => b.close(), 'close() twice is fine')
  a.close()
  await s.close()
})
