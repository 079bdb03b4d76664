// A handler that throws: its connection closes with that error and the server goes on serving the
// others; onError handles it, and without onError (or when it rethrows) it is an uncaught
// exception once the batch has been delivered.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createServer, connect, stats } from 'ringpoll'
import { netConnect, netRoundTrip, until } from './helpers/util.mjs'

/** What each handler needs from the peer to be called. */
const PROVOKE = {
  onConnect: () => {},
  onData: (socket) => socket.write('x'),
  onEnd: (socket) => socket.end(),
  onDrain: (socket) => socket.resume(),
}

/** A server whose `name` handler throws `thrown` once, and echoes otherwise. */
async function throwingServer(t, name, thrown, extra = {}) {
  const closes = []
  let armed = true
  const s = createServer({
    highWaterMark: 1024,
    allowHalfOpen: true,
    onConnect(c) {
      if (name === 'onDrain' && armed) c.write(Buffer.alloc(256 * 1024)) // returns false: drain follows
      if (name === 'onConnect' && armed) {
        armed = false
        throw thrown
      }
    },
    onData(c) {
      if (name === 'onData' && armed) {
        armed = false
        throw thrown
      }
      c.write(c.reader.next(c.reader.length))
      c.reader.release()
    },
    onEnd(c) {
      if (name === 'onEnd' && armed) {
        armed = false
        throw thrown
      }
      c.end()
    },
    onDrain() {
      if (name === 'onDrain' && armed) {
        armed = false
        throw thrown
      }
    },
    onClose: (c, err) => closes.push(err),
    onError: () => {}, // handled: without it the throw is an uncaught exception (the child tests)
    ...extra,
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => s.close({ timeout: 100 }))
  return { s, port, closes }
}

for (const name of Object.keys(PROVOKE)) {
  t.test(`${name} throws: that connection closes with the error, the next one is served`, async (t) => {
    const boom = new Error(`boom in ${name}`)
    const { port, closes } = await throwingServer(t, name, boom)
    const socket = await netConnect({ port, host: '127.0.0.1' })
    socket.on('error', () => {})
    if (name === 'onDrain') socket.pause()
    PROVOKE[name](socket)
    await until(() => closes.length === 1, 'onClose of the failed connection')
    t.equal(closes[0], boom, 'onClose received the thrown error itself')
    socket.destroy()
    const echoed = await netRoundTrip({ port, host: '127.0.0.1' }, Buffer.from('still serving'))
    t.equal(echoed.toString(), 'still serving')
    await until(() => closes.length === 2, 'onClose of the second connection')
    t.equal(closes[1], undefined, 'the second connection closed cleanly')
    await until(() => stats().chunksInUse === 0, 'chunks to return')
  })
}

t.test('a thrown non-Error becomes an Error with its text', async (t) => {
  const { port, closes } = await throwingServer(t, 'onData', 'a string')
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.write('x')
  await until(() => closes.length === 1, 'onClose')
  t.type(closes[0], Error)
  t.equal(closes[0].message, 'a string')
  socket.destroy()
})

t.test('onError hears of the error first, with the connection; onClose gets it too', async (t) => {
  const order = []
  const boom = new Error('boom')
  const { port } = await throwingServer(t, 'onData', boom, {
    onError: (err, conn) => order.push(['onError', err, conn.active]),
    onClose: (conn, err) => order.push(['onClose', err]),
  })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.write('x')
  await until(() => order.length === 2, 'both calls')
  t.same(order, [['onError', boom, false], ['onClose', boom]])
  socket.destroy()
})

t.test('a ringpoll client whose handler throws closes with that error', async (t) => {
  const s = createServer({ onConnect: (c) => c.write('hi') })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const boom = new Error('client boom')
  const errors = []
  await connect({ port, host: '127.0.0.1' }, {
    onData() {
      throw boom
    },
    onError: (err) => errors.push(['onError', err]),
    onClose: (c, err) => errors.push(['onClose', err]),
  })
  await until(() => errors.length === 2, 'onClose')
  t.same(errors, [['onError', boom], ['onClose', boom]])
  await s.close()
})

t.test("a client's onConnect that throws: connect() rejects with that error, the connection closes", async (t) => {
  let peerClosed = false
  const s = createServer({ onClose: () => (peerClosed = true) })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const boom = new Error('onConnect failed')
  const closes = []
  await t.rejects(connect({ port, host: '127.0.0.1' }, {
    onConnect() {
      throw boom
    },
    onClose: (c, err) => closes.push(err),
  }), boom)
  await until(() => peerClosed && closes.length === 1, 'both sides to close')
  t.same(closes, [boom], 'onClose receives the error too')
  await s.close()
})

t.test('onClose that throws: onError hears of it', async (t) => {
  const reported = []
  const s = createServer({
    onConnect: (c) => c.close(),
    onClose() {
      throw new Error('onClose failed')
    },
    onError: (err) => reported.push(err.message),
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  await new Promise((resolve) => socket.on('close', resolve))
  await s.close()
  t.same(reported, ['onClose failed'])
})

const runChild = (name, ...args) => {
  const child = fileURLToPath(new URL(`./helpers/${name}`, import.meta.url))
  return spawnSync(process.execPath, [child, ...args], { encoding: 'utf8', timeout: 20000 })
}

for (const name of ['onData', 'onClose']) {
  t.test(`${name} throws without onError: an uncaught exception after the batch, the others served`, async (t) => {
    const { status, stdout, stderr } = runChild('uncaught-child.mjs', name)
    t.equal(status, 0, stderr)
    const seen = JSON.parse(stdout)
    t.same(seen.uncaught, [`boom from ${name}`], 'process got uncaughtException with that very error')
    t.equal(seen.echoed, 'other connection', 'the other connection was served')
    if (name === 'onData') t.equal(seen.closedWith, 'boom from onData', "the thrower's connection closed with it")
  })
}

t.test('onError that rethrows ends the process with that error', async (t) => {
  const { status, stdout, stderr } = runChild('rethrow-child.mjs')
  t.equal(status, 1, 'exit code of an uncaught exception')
  t.match(stderr, /boom from onData/)
  t.equal(stdout, '', 'never reached the line after the throw')
})

t.test('onError must be a function', async (t) => {
  t.throws(() => createServer({ onError: 'x' }), TypeError)
  await t.rejects(connect({ port: 1, host: '127.0.0.1' }, { onError: 1 }), TypeError)
})
