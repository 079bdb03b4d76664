// The end of input comes after all input: a peer's FIN (and the close that follows it without
// allowHalfOpen) never drops bytes the application has not been handed, paused or not. A model
// test pauses and resumes at seeded random points while the peer sends and half-closes.
import t from 'tap'
import net from 'node:net'
import { createHash } from 'node:crypto'
import { createServer } from 'ringpoll'
import * as ringpollNet from 'ringpoll/net'
import { payload, until } from './helpers/util.mjs'

const sha = (b) => createHash('sha256').update(b).digest('hex')

/** A seeded PRNG (mulberry32): the same seed gives the same run of pauses and reads. */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A raw server whose handlers come from `make(log, hash)`; each connection's events are logged as
 * 'data' / 'end' / 'close:<code>' and its input hashed. Resolves { port, done } where done resolves
 * with the log once onClose has run.
 */
async function rawServer(t, options, make) {
  let finish
  const done = new Promise((resolve) => (finish = resolve))
  const log = []
  const hash = createHash('sha256')
  const handlers = make(log, hash)
  const server = createServer({
    ...options,
    ...handlers,
    onClose(conn, err) {
      log.push(`close:${err?.code ?? 'none'}`)
      finish({ log, digest: hash.digest('hex') })
    },
  })
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => server.close({ timeout: 100 }))
  return { port, done }
}

/** Sends `data` in `sizes()`-sized writes, then FIN; keeps reading what the server sends back. */
function sendThenFin(port, data, sizes = () => data.length) {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
  socket.on('error', () => {})
  socket.resume()
  socket.on('end', () => socket.end())
  socket.on('connect', () => {
    for (let at = 0; at < data.length; ) {
      const n = Math.min(data.length - at, Math.max(1, sizes()))
      socket.write(data.subarray(at, at + n))
      at += n
    }
    socket.end()
  })
  return socket
}

/** The order a connection's events must come in: data..., one end, then a clean close. */
function wellOrdered(log) {
  const end = log.indexOf('end')
  return end === log.length - 2 && log.lastIndexOf('end') === end && log.at(-1) === 'close:none' &&
    log.slice(0, end).every((e) => e === 'data')
}

for (const allowHalfOpen of [false, true]) {
  t.test(`pause in onData, resume 5 ms later, 8 MiB then FIN (allowHalfOpen ${allowHalfOpen})`, async (t) => {
    const data = payload(8 << 20)
    let pausedEnd = false
    let paused = false
    const { port, done } = await rawServer(t, { allowHalfOpen }, (log, hash) => ({
      onData(c) {
        log.push('data')
        hash.update(c.reader.next(c.reader.length))
        c.reader.release()
        paused = true
        c.pause()
        setTimeout(() => {
          paused = false
          c.resume()
        }, 5)
      },
      onEnd(c) {
        // A proxy ends its other side here: the input must all have been through onData.
        if (paused) pausedEnd = true
        log.push('end')
        if (allowHalfOpen) c.end()
      },
    }))
    sendThenFin(port, data)
    const { log, digest } = await done
    t.notOk(pausedEnd, 'onEnd never runs while paused')
    t.equal(digest, sha(data), 'every byte reaches onData, in order')
    t.ok(wellOrdered(log), `onData... onEnd, onClose (${log.slice(-3).join(' ')})`)
  })
}

t.test('a connection that stays paused after the FIN stays open until it resumes', async (t) => {
  let conn
  const { port, done } = await rawServer(t, {}, (log, hash) => ({
    onData(c) {
      log.push('data')
      if (conn === undefined) {
        conn = c
        c.pause() // reads nothing: the bytes wait in the reader
        return
      }
      hash.update(c.reader.next(c.reader.length))
      c.reader.release()
    },
    onEnd() {
      log.push('end')
    },
  }))
  const data = payload(64 * 1024) // fits in the socket buffers, so the FIN arrives while paused
  const peer = sendThenFin(port, data)
  const closedPeer = new Promise((resolve) => peer.on('close', resolve))
  await until(() => conn !== undefined && conn.reader.length === data.length, 'all input in the reader')
  // The FIN has arrived (everything before it has): the connection must wait for the application.
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.notOk(conn.closed, 'not closed while the application has not been handed its input')
  conn.resume()
  const { log, digest } = await done
  await closedPeer
  t.equal(digest, sha(data))
  t.same(log, ['data', 'data', 'end', 'close:none'], 'resume hands the input to onData, then the end')
})

// The model: seeded random reads (part of what is there, or nothing), pauses and resumes (from a
// timer, an immediate or a microtask), while the peer writes random sizes and half-closes.
const SEEDS = [1, 2, 3, 4, 5, 6]
for (const allowHalfOpen of [false, true]) {
  t.test(`model: random pauses, resumes and partial reads (allowHalfOpen ${allowHalfOpen})`, async (t) => {
    for (const seed of SEEDS) {
      const random = prng(seed * 7919 + (allowHalfOpen ? 1 : 0))
      const data = payload(Math.floor(256 * 1024 + random() * 3 * (1 << 20)), seed)
      const violations = []
      let paused = false
      const later = (fn) => {
        const r = random()
        if (r < 0.4) setTimeout(fn, Math.floor(random() * 4))
        else if (r < 0.7) setImmediate(fn)
        else queueMicrotask(fn)
      }
      const { port, done } = await rawServer(t, { allowHalfOpen }, (log, hash) => ({
        onData(c) {
          if (paused) violations.push('onData while paused')
          log.push('data')
          const n = random() < 0.2 ? 0 : Math.floor(random() * (c.reader.length + 1))
          hash.update(c.reader.next(n))
          c.reader.release()
          if (random() < 0.5) {
            paused = true
            c.pause()
            later(() => {
              paused = false
              c.resume()
            })
          }
        },
        onEnd(c) {
          if (paused) violations.push('onEnd while paused')
          log.push('end')
          hash.update(c.reader.next(c.reader.length))
          c.reader.release()
          if (allowHalfOpen) later(() => c.end())
        },
      }))
      sendThenFin(port, data, () => Math.floor(random() * 200000))
      const { log, digest } = await done
      t.same(violations, [], `seed ${seed}: no handler runs while paused`)
      t.equal(digest, sha(data), `seed ${seed}: every byte (${data.length}), in order`)
      t.ok(wellOrdered(log), `seed ${seed}: onData... onEnd, onClose (${log.slice(-3).join(' ')})`)
    }
  })
}

t.test('ringpoll/net proxy: pause from data, resume later, every byte arrives', async (t) => {
  const data = payload(6 << 20)
  const received = []
  const sink = net.createServer((s) => {
    s.on('data', (d) => received.push(d))
    s.on('end', () => s.end())
  })
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve))
  const sinkPort = sink.address().port
  const proxy = ringpollNet.createServer((inbound) => {
    const outbound = net.connect(sinkPort, '127.0.0.1')
    inbound.on('data', (d) => {
      if (!outbound.write(d)) inbound.pause()
      inbound.pause()
      setTimeout(() => inbound.resume(), 2)
    })
    outbound.on('drain', () => inbound.resume())
    inbound.on('end', () => outbound.end())
  })
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const client = net.connect(proxy.address().port, '127.0.0.1', () => client.end(data))
  client.resume()
  const sinkEnded = new Promise((resolve) => sink.once('connection', (s) => s.on('end', resolve)))
  await sinkEnded
  t.equal(sha(Buffer.concat(received)), sha(data), 'the sink receives every byte')
  client.destroy()
  await new Promise((resolve) => proxy.close(resolve))
  await new Promise((resolve) => sink.close(resolve))
})
