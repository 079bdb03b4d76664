// Bad input at the public entry points: a TypeError or RangeError, or an error with a code; never
// an abort, and onClose still runs exactly once.
import t from 'tap'
import { createServer, connect, RingpollError } from 'ringpoll'
import { netConnect, socketPath, until } from './helpers/util.mjs'

async function withConnection(t, fn) {
  let closes = 0
  let result
  const done = new Promise((resolve) => {
    const s = createServer({
      onData(conn) {
        if (result !== undefined) return
        result = fn(conn)
        resolve()
      },
      onClose() {
        closes++
      },
    })
    t.teardown(() => s.close({ timeout: 100 }))
    s.listen({ port: 0, host: '127.0.0.1' }).then(async ({ port }) => {
      const socket = await netConnect({ port, host: '127.0.0.1' })
      socket.on('error', () => {})
      socket.write('hello')
      t.teardown(() => socket.destroy())
    })
  })
  await done
  return { closes: () => closes }
}

t.test('writes of the wrong type', async (t) => {
  await withConnection(t, (conn) => {
    t.throws(() => conn.write(123), TypeError)
    t.throws(() => conn.write({}), TypeError)
    t.throws(() => conn.write(null), TypeError)
    t.throws(() => conn.writev('x'), TypeError)
    t.throws(() => conn.writev([1]), TypeError)
    t.throws(() => conn.writev([Buffer.from('a'), 'b']), TypeError)
    t.throws(() => conn.write('x', 'no-such-encoding'), TypeError)
    t.equal(conn.bufferedAmount, 0, 'a rejected writev queued nothing')
    t.ok(conn.write(new Float64Array(2)), 'any ArrayBufferView is written as bytes')
    t.ok(conn.write(new DataView(new ArrayBuffer(3))))
    t.ok(conn.write(new Uint8Array(new SharedArrayBuffer(10000))), 'shared memory is accepted')
    const ab = new ArrayBuffer(16)
    const view = new Uint8Array(ab)
    structuredClone(ab, { transfer: [ab] })
    t.ok(conn.write(view), 'a detached buffer writes nothing')
    return true
  })
})

t.test('reader sizes out of range', async (t) => {
  await withConnection(t, (conn) => {
    const r = conn.reader
    for (const n of [-1, 1.5, NaN, Infinity, r.length + 1, 2 ** 53]) {
      t.throws(() => r.next(n), RangeError, `next(${n})`)
      t.throws(() => r.peek(n), RangeError, `peek(${n})`)
      t.throws(() => r.skip(n), RangeError, `skip(${n})`)
      t.throws(() => r.readBuffer(n), RangeError, `readBuffer(${n})`)
    }
    t.throws(() => r.next('1'), TypeError)
    t.throws(() => r.until(300), RangeError)
    t.throws(() => r.until('ab'), TypeError)
    t.throws(() => r.indexOf({}), TypeError)
    t.throws(() => r.indexOf('x', -1), RangeError)
    t.throws(() => r.readString(1, 'nope'), TypeError)
    t.equal(r.length, 5, 'nothing was consumed by the failed calls')
    t.equal(r.readString(5), 'hello')
    return true
  })
})

t.test('writer and option sizes out of range', async (t) => {
  await withConnection(t, (conn) => {
    t.throws(() => conn.writer.malloc(-1), RangeError)
    t.throws(() => conn.writer.malloc(2 ** 40), RangeError)
    t.throws(() => conn.writer.malloc(1.5), RangeError)
    t.throws(() => conn.setIdleTimeout(-1), RangeError)
    t.throws(() => conn.setNoDelay('yes'), TypeError)
    t.throws(() => conn.setKeepAlive(true, -5), RangeError)
    t.throws(() => conn.close('not an error'), TypeError)
    return true
  })
})

t.test('writes after end() and after close(); closing twice', async (t) => {
  const { closes } = await withConnection(t, (conn) => {
    conn.end()
    t.throws(() => conn.write('x'), { code: 'ERR_WRITE_AFTER_END' })
    conn.close()
    conn.close()
    t.throws(() => conn.write('x'), { code: 'ERR_CLOSED' })
    t.throws(() => conn.writev([Buffer.from('x')]), { code: 'ERR_CLOSED' })
    t.throws(() => conn.writer.malloc(1), { code: 'ERR_CLOSED' })
    t.type(new RingpollError('E', 'm'), Error)
    return true
  })
  await until(() => closes() === 1, 'onClose')
  t.equal(closes(), 1, 'onClose ran once')
})

t.test('operations inside onClose and from a timer after it', async (t) => {
  const results = []
  let timerDone = false
  const s = createServer({
    onConnect: (c) => c.close(),
    onClose(c) {
      results.push(['write', codeOf(() => c.write('x'))])
      results.push(['end', codeOf(() => c.end())])
      results.push(['close', codeOf(() => c.close())])
      results.push(['release', codeOf(() => c.reader.release())])
      results.push(['pause', codeOf(() => c.pause())])
      results.push(['flush', codeOf(() => c.flush())])
      results.push(['bufferedAmount', c.bufferedAmount])
      setTimeout(() => {
        results.push(['timer write', codeOf(() => c.write('y'))])
        results.push(['timer setIdleTimeout', codeOf(() => c.setIdleTimeout(10))])
        timerDone = true
      }, 5)
    },
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.on('error', () => {})
  await until(() => timerDone, 'the timer after onClose')
  t.same(results, [
    ['write', 'ERR_CLOSED'],
    ['end', 'ERR_CLOSED'],
    ['close', 'ok'],
    ['release', 'ok'],
    ['pause', 'ok'],
    ['flush', 'ok'],
    ['bufferedAmount', 0],
    ['timer write', 'ERR_CLOSED'],
    ['timer setIdleTimeout', 'ok'],
  ])
  socket.destroy()
  await s.close()
})


t.test('listen and connect arguments', async (t) => {
  const s = createServer({})
  await t.rejects(s.listen({ port: 70000 }), RangeError)
  await t.rejects(s.listen({ port: -1 }), RangeError)
  await t.rejects(s.listen({ port: 1.5 }), RangeError)
  await t.rejects(s.listen({ port: '80' }), TypeError)
  await t.rejects(s.listen({ host: 5 }), TypeError)
  await t.rejects(s.listen({ path: 'x'.repeat(200) }), RangeError)
  await t.rejects(s.listen({ path: '' }), TypeError)
  await t.rejects(s.listen(null), TypeError)
  await t.rejects(s.listen({ port: 0, host: '127.0.0.1', backlog: -1 }), RangeError)
  await t.rejects(connect({}), TypeError)
  await t.rejects(connect(null), TypeError)
  await t.rejects(connect({ port: 70000 }), RangeError)
  await t.rejects(connect({ path: 5 }), TypeError)
  await t.rejects(connect({ port: 1, host: '127.0.0.1', timeout: -1 }), RangeError)
  await t.rejects(connect({ port: 1, host: '127.0.0.1' }, { onData: 5 }), TypeError)
  await t.rejects(connect({ port: 1, host: '127.0.0.1' }, { highWaterMark: 0 }), RangeError)
  await t.rejects(connect({ port: 1, host: '127.0.0.1' }), { code: 'ECONNREFUSED' })
  await t.rejects(connect({ path: socketPath() }), { code: 'ENOENT' })
  t.throws(() => createServer(null), TypeError)
  t.throws(() => createServer({ onClose: 'x' }), TypeError)
  t.throws(() => createServer({ idleTimeout: -1 }), RangeError)
  t.throws(() => createServer({ noDelay: 1 }), TypeError)
  await s.close()
})

function codeOf(fn) {
  try {
    fn()
    return 'ok'
  } catch (err) {
    return err.code ?? err.name
  }
}
