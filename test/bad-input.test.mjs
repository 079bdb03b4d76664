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
    const types = 'of type string or an instance of Buffer, TypedArray, or DataView'
    const argType = (name, received) => ({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
      message: `The "${name}" argument must be ${types}. Received ${received}`,
    })
    t.throws(() => conn.write(123), argType('data', 'type number (123)'))
    t.throws(() => conn.write({}), argType('data', 'an instance of Object'))
    t.throws(() => conn.write(null), argType('data', 'null'))
    t.throws(() => conn.write(new ArrayBuffer(4)), argType('data', 'an instance of ArrayBuffer'), 'an ArrayBuffer is refused, as by net')
    t.throws(() => conn.writev('x'), { code: 'ERR_INVALID_ARG_TYPE', message: /"chunks" argument must be an instance of Array/ })
    t.throws(() => conn.writev([1]), argType('chunks[0]', 'type number (1)'))
    t.throws(() => conn.writev([Buffer.from('a'), 'b', undefined]), argType('chunks[2]', 'undefined'))
    t.throws(() => conn.write('x', 'no-such-encoding'), { name: 'TypeError', code: 'ERR_UNKNOWN_ENCODING' })
    t.equal(conn.bufferedAmount, 0, 'a rejected writev queued nothing')
    t.ok(conn.writev([Buffer.from('a'), 'b', 'é']), 'writev takes strings (utf8) as write() does')
    t.equal(conn.bufferedAmount, 4)
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
    t.throws(() => conn.write('x'), { code: 'ERR_STREAM_WRITE_AFTER_END', message: 'write after end' })
    conn.close()
    conn.close()
    const destroyed = { code: 'ERR_STREAM_DESTROYED', message: 'Cannot call write after a stream was destroyed' }
    t.throws(() => conn.write('x'), destroyed)
    t.throws(() => conn.writev([Buffer.from('x')]), destroyed)
    t.throws(() => conn.writer.malloc(1), destroyed)
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
    ['write', 'ERR_STREAM_DESTROYED'],
    ['end', 'ERR_STREAM_DESTROYED'],
    ['close', 'ok'],
    ['release', 'ok'],
    ['pause', 'ok'],
    ['flush', 'ok'],
    ['bufferedAmount', 0],
    ['timer write', 'ERR_STREAM_DESTROYED'],
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

t.test("argument errors carry node's codes and wording", async (t) => {
  t.throws(() => createServer({ onClose: 'x' }), {
    name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE',
    message: `The "options.onClose" property must be of type function. Received type string ('x')`,
  })
  t.throws(() => createServer({ idleTimeout: -1 }), {
    name: 'RangeError', code: 'ERR_OUT_OF_RANGE',
    message: 'The value of "options.idleTimeout" is out of range. It must be >= 0 && <= 4294967295. Received -1',
  })
  t.throws(() => createServer({ highWaterMark: 1.5 }), {
    code: 'ERR_OUT_OF_RANGE', message: 'The value of "options.highWaterMark" is out of range. It must be an integer. Received 1.5',
  })
  t.throws(() => createServer({ noDelay: 1 }), { code: 'ERR_INVALID_ARG_TYPE', message: /"options.noDelay" property must be of type boolean/ })
  t.throws(() => createServer(null), { code: 'ERR_INVALID_ARG_TYPE', message: 'The "options" argument must be of type object. Received null' })
  await t.rejects(connect({}), { name: 'TypeError', code: 'ERR_MISSING_ARGS' })
  await t.rejects(connect({ port: 1, host: '' }), { code: 'ERR_INVALID_ARG_VALUE' })
  const s = createServer({})
  await t.rejects(s.listen({ port: 0, host: '127.0.0.1', backlog: 'x' }), { code: 'ERR_INVALID_ARG_TYPE' })
  await withConnection(t, (conn) => {
    t.throws(() => conn.reader.next(1.5), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })
    t.throws(() => conn.setIdleTimeout('1'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    t.throws(() => conn.setNoDelay('yes'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    t.throws(() => conn.close('not an error'), { code: 'ERR_INVALID_ARG_TYPE', message: /"err" argument must be an instance of Error/ })
    return true
  })
})

function codeOf(fn) {
  try {
    fn()
    return 'ok'
  } catch (err) {
    return err.code ?? err.name
  }
}

t.test('strings in odd encodings go out exactly as Buffer.from encodes them', async (t) => {
  const strings = ['!!!!', 'a=b=', 'zz', 'abc', 'ab cd', '\ud800', '\udc00x\ud800', 'é€😀', '\0', '']
  const encodings = ['utf8', 'utf16le', 'latin1', 'ascii', 'hex', 'base64', 'base64url', 'HEX', 'Base64']
  const cases = []
  for (const encoding of encodings) {
    for (const s of strings) cases.push([s, encoding], [s.repeat(5000), encoding]) // small, and past a chunk
  }
  const s = createServer({
    onConnect(c) {
      for (const [text, encoding] of cases) c.write(text, encoding)
      c.end()
    },
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  const parts = []
  socket.on('data', (d) => parts.push(d))
  await new Promise((resolve) => socket.on('end', resolve))
  const want = Buffer.concat(cases.map(([text, encoding]) => Buffer.from(text, encoding)))
  t.ok(Buffer.concat(parts).equals(want), 'no stale bytes for invalid hex or base64, no lost surrogates')
  socket.destroy()
  await s.close()
})

t.test('reading strings in odd encodings gives what Buffer#toString gives', async (t) => {
  await withConnection(t, (conn) => {
    const r = conn.reader // holds "hello"
    const bytes = Buffer.from('hello')
    t.equal(r.peek(5).toString('utf16le'), bytes.toString('utf16le'))
    t.equal(r.readString(3, 'utf16le'), bytes.subarray(0, 3).toString('utf16le'), 'an odd length in UTF-16')
    t.equal(r.readString(2, 'base64'), bytes.subarray(3).toString('base64'))
    return true
  })
})

t.test('NaN, Infinity, negative, fractional and huge sizes name what was wrong', async (t) => {
  const bad = [NaN, Infinity, -Infinity, -1, 1.5, 2 ** 32, 2 ** 53]
  for (const name of ['idleTimeout', 'highWaterMark', 'maxInput']) {
    for (const value of bad) {
      t.throws(() => createServer({ [name]: value }), { name: 'RangeError', message: new RegExp(name) }, `${name}: ${value}`)
    }
    for (const value of ['1', null, {}, 1n]) {
      t.throws(() => createServer({ [name]: value }), { name: 'TypeError', message: new RegExp(name) }, `${name}: ${typeof value}`)
    }
  }
  const s = createServer({})
  for (const value of bad) {
    await t.rejects(s.listen({ port: 0, host: '127.0.0.1', backlog: value }), { name: 'RangeError', message: /backlog/ })
    await t.rejects(connect({ port: 1, host: '127.0.0.1', timeout: value }), { name: 'RangeError', message: /timeout/ })
  }
  t.throws(() => s.close({ timeout: NaN }), { name: 'RangeError', message: /timeout/ })
  await s.close()
  await withConnection(t, (conn) => {
    for (const value of bad) {
      t.throws(() => conn.setIdleTimeout(value), RangeError)
      t.throws(() => conn.setKeepAlive(true, value), RangeError)
      t.throws(() => conn.writer.malloc(value), { name: 'RangeError', message: /\bn\b/ })
      t.throws(() => conn.reader.until(value), RangeError)
      t.throws(() => conn.reader.readString(value), RangeError)
    }
    for (const from of [NaN, Infinity, -1, 1.5]) t.throws(() => conn.reader.indexOf('h', from), RangeError)
    t.equal(conn.reader.indexOf('h', 2 ** 32), -1, 'a start past the end finds nothing')
    t.equal(conn.reader.length, 5, 'nothing consumed')
    return true
  })
})

t.test('ports out of range, and Unix socket paths too long or with null bytes', async (t) => {
  const s = createServer({})
  for (const port of [NaN, Infinity, 65536, -1, 2 ** 53, 0.5]) {
    const bad = { name: 'RangeError', code: 'ERR_SOCKET_BAD_PORT', message: /^options.port should be >= 0 and < 65536. Received type number/ }
    await t.rejects(s.listen({ port, host: '127.0.0.1' }), bad, `listen port ${port}`)
    await t.rejects(connect({ port, host: '127.0.0.1' }), bad, `connect port ${port}`)
  }
  for (const port of ['80', null, [80]]) {
    const type = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /^The "options.port" property must be of type number. Received/ }
    await t.rejects(s.listen({ port }), type)
    await t.rejects(connect({ port }), type)
  }
  const dir = socketPath().replace(/[^/]*$/, '')
  const fits = dir + 'r'.repeat(107 - dir.length) // sun_path holds 107 bytes and a terminating 0
  const unix = createServer({})
  t.same(await unix.listen({ path: fits }), { path: fits }, 'a path of exactly 107 bytes')
  await unix.close()
  const over = fits + 'r'
  const tooLong = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: /"options.path" is out of range. It must be at most 107 bytes/ }
  await t.rejects(s.listen({ path: over }), tooLong)
  await t.rejects(connect({ path: over }), tooLong)
  const wide = dir + 'é'.repeat(60) // fewer than 107 characters, more than 107 bytes
  await t.rejects(s.listen({ path: wide }), tooLong)
  await t.rejects(s.listen({ path: dir + 'a\0b' }), { name: 'TypeError', message: /null bytes/ })
  await t.rejects(connect({ path: dir + 'a\0b' }), { name: 'TypeError', message: /null bytes/ })
  await s.close()
})

t.test('detached and shared buffers in writev and in large writes', async (t) => {
  const big = new Uint8Array(new SharedArrayBuffer(100000)).fill(7) // past the copy threshold: linked
  const s = createServer({
    onConnect(c) {
      const ab = new ArrayBuffer(32)
      const detached = new Uint8Array(ab)
      structuredClone(ab, { transfer: [ab] })
      t.ok(c.writev([detached, Buffer.from('a'), new Uint8Array(0)]), 'a detached segment is empty')
      c.write(big)
      c.end()
    },
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  const parts = []
  socket.on('data', (d) => parts.push(d))
  await new Promise((resolve) => socket.on('end', resolve))
  const got = Buffer.concat(parts)
  t.equal(got.length, 100001)
  t.equal(got.toString('latin1', 0, 1), 'a')
  t.ok(got.subarray(1).every((b) => b === 7), 'shared memory sent as it is')
  socket.destroy()
  await s.close()
})

t.test('a buffer detached after it was queued is never sent: the connection closes with EFAULT', async (t) => {
  const closes = []
  const s = createServer({
    onConnect(c) {
      const ab = new ArrayBuffer(64 * 1024)
      new Uint8Array(ab).fill(7)
      c.write(new Uint8Array(ab)) // past the copy threshold: linked in place, sent after this handler
      structuredClone(ab, { transfer: [ab] }) // its memory now belongs to a clone that is dropped
    },
    onClose: (c, err) => closes.push(err?.code),
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.on('error', () => {})
  let got = 0
  socket.on('data', (d) => (got += d.length))
  await new Promise((resolve) => socket.on('close', resolve))
  await until(() => closes.length === 1, 'onClose')
  t.same(closes, ['EFAULT'])
  t.equal(got, 0, 'none of that memory went out')
  await s.close()
})
