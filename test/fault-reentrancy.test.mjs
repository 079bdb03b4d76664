// close(), close(err), end() and write() from inside every handler, and from a timer once the
// connection has closed: onClose runs exactly once with the right error, the peer gets what was
// written before, and later calls fail with node's code after the application's own close(), and
// are dropped without a throw (write() false) when the connection closed otherwise. (bad-input.test.mjs covers the
// calls made inside onClose itself.)
import t from 'tap'
import net from 'node:net'
import { createServer, connect, stats } from 'ringpoll'
import { allChunksBack, netConnect, sleep, until } from './helpers/util.mjs'

const boom = new Error('closed by the application')

/** Each operation and what onClose should receive after it ('clean' also allows ERR_UNSENT_DATA
 * where output may still be queued). */
const OPERATIONS = {
  close: { run: (c) => c.close(), expect: 'clean', local: true },
  'close(err)': { run: (c) => c.close(boom), expect: boom, local: true },
  end: { run: (c) => c.end(), expect: 'clean' },
  'end(data)': { run: (c) => c.end('bye'), expect: 'clean', peerGets: 'bye' },
  'write, close': {
    run: (c) => {
      c.write('last')
      c.close()
    },
    expect: 'clean',
    peerGets: 'last',
    local: true,
  },
  'close, write': {
    run: (c, t) => {
      c.close()
      t.throws(() => c.write('x'), { code: 'ERR_STREAM_DESTROYED' })
      t.throws(() => c.end(), { code: 'ERR_STREAM_DESTROYED' })
    },
    expect: 'clean',
    local: true,
  },
  'end, write': {
    run: (c, t) => {
      c.end()
      t.throws(() => c.write('x'), { code: 'ERR_STREAM_WRITE_AFTER_END' })
      c.close() // after end(): allowed, and still one onClose
    },
    expect: 'clean',
    local: true,
  },
}

const PROVOKE = {
  onConnect: () => {},
  onData: (socket) => socket.write('x'),
  onEnd: (socket) => socket.end(),
  onDrain: () => {}, // the peer reads; the server's first write returned false
}

async function runCase(t, handler, op) {
  const closes = []
  let afterClose
  let fired = false
  const act = (c) => {
    if (fired) return
    fired = true
    op.run(c, t)
  }
  const s = createServer({
    allowHalfOpen: true,
    highWaterMark: 1024,
    onConnect(c) {
      if (handler === 'onDrain') c.write(Buffer.alloc(64 * 1024)) // false: onDrain follows
      if (handler === 'onConnect') act(c)
    },
    onData(c) {
      c.reader.skip(c.reader.length)
      c.reader.release()
      if (handler === 'onData') act(c)
    },
    onEnd: (c) => handler === 'onEnd' && act(c),
    onDrain: (c) => handler === 'onDrain' && act(c),
    onClose(c, err) {
      closes.push(err)
      setTimeout(() => {
        afterClose = [codeOf(() => c.write('late')), codeOf(() => c.end()), codeOf(() => c.close()),
          codeOf(() => c.pause()), codeOf(() => c.resume()), codeOf(() => c.flush())]
      }, 1)
    },
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
  socket.on('error', () => {})
  let received = ''
  socket.setEncoding('latin1').on('data', (d) => (received += d))
  socket.on('end', () => socket.end())
  await new Promise((resolve) => socket.on('connect', resolve))
  PROVOKE[handler](socket)
  await new Promise((resolve) => socket.on('close', resolve))
  await until(() => closes.length === 1 && afterClose, 'onClose and the timer after it')
  await sleep(5)
  t.equal(closes.length, 1, 'onClose ran once')
  if (op.expect === 'clean') t.ok(closes[0] === undefined || closes[0].code === 'ERR_UNSENT_DATA', `clean close (${closes[0]?.code})`)
  else t.equal(closes[0], op.expect, 'onClose received the error given to close()')
  if (op.peerGets) t.ok(received.endsWith(op.peerGets), `the peer got "${op.peerGets}"`)
  const late = op.local ? ['ERR_STREAM_DESTROYED', 'ERR_STREAM_DESTROYED'] : ['ok', 'ok']
  t.same(afterClose, [...late, 'ok', 'ok', 'ok', 'ok'], 'calls from a timer after the close')
  await s.close()
}

for (const handler of Object.keys(PROVOKE)) {
  for (const [name, op] of Object.entries(OPERATIONS)) {
    t.test(`${name} inside ${handler}`, (t) => runCase(t, handler, op))
  }
}

t.test('closing another connection from inside a handler, in the same batch as its data', async (t) => {
  const conns = []
  const seen = []
  const s = createServer({
    onConnect: (c) => conns.push(c),
    onData(c) {
      seen.push(c)
      c.reader.skip(c.reader.length)
      c.reader.release()
      for (const other of conns) if (other !== c) other.close() // its data may be next in the batch
    },
    onClose: (c) => seen.push(['close', c]),
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const a = await netConnect({ port, host: '127.0.0.1' })
  const b = await netConnect({ port, host: '127.0.0.1' })
  await until(() => conns.length === 2, 'both accepts')
  a.write('a')
  b.write('b')
  await until(() => seen.some((e) => Array.isArray(e)), 'the close of the other connection')
  await sleep(5)
  const dataCalls = seen.filter((e) => !Array.isArray(e))
  t.equal(dataCalls.length, 1, 'the closed connection got no onData after its close()')
  t.equal(seen.filter((e) => Array.isArray(e)).length, 1, 'one close')
  a.destroy()
  b.destroy()
  await s.close()
})

t.test('a ringpoll client closing from onConnect and from onData', async (t) => {
  const s = createServer({ onConnect: (c) => c.write('hello') })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const closes = []
  await connect({ port, host: '127.0.0.1' }, { onConnect: (c) => c.close(), onClose: (c, err) => closes.push(err) })
  await connect({ port, host: '127.0.0.1' }, { onData: (c) => c.close(boom), onClose: (c, err) => closes.push(err) })
  await until(() => closes.length === 2, 'both closes')
  await sleep(5)
  t.same(closes, [undefined, boom], 'onClose of each, with its error')
  await s.close()
  t.equal(stats().connections, 0)
  await allChunksBack(t)
})

function codeOf(fn) {
  try {
    fn()
    return 'ok'
  } catch (err) {
    return err.code ?? err.name
  }
}
