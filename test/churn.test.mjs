// Churn: 50,000 connect/echo/close cycles, and 2,000 connections open at once being replaced one
// by one. Afterwards no descriptor, slab chunk, connection or Connection object is left.
// (leaks.test.mjs covers node:net clients and clients closing with output pending.)
import t from 'tap'
import { createServer, connect, stats } from 'ringpoll'
import { liveCounter } from './helpers/gc.mjs'
import { fdCount, sleep, until } from './helpers/util.mjs'

/** An echo server whose Connection objects are tracked until collected. */
async function echoServer(t, tracked) {
  const counts = { opened: 0, closed: 0, errors: [] }
  const s = createServer({
    onConnect(c) {
      counts.opened++
      tracked.track(c)
    },
    onData(c) {
      c.write(c.reader.next(c.reader.length))
      c.reader.release()
    },
    onClose(c, err) {
      counts.closed++
      if (err) counts.errors.push(err.code)
    },
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  return { s, port, counts }
}

/** Connects, sends `ping`, and resolves once the echo is back; `close` says who closes then. */
function echoOnce(port, tracked, closeIt) {
  return new Promise((resolve, reject) => {
    connect({ port, host: '127.0.0.1' }, {
      onData(c) {
        if (c.reader.length < 4) return
        if (c.reader.readString(4) !== 'ping') reject(new Error('bad echo'))
        c.reader.release()
        closeIt(c, resolve)
      },
      onClose: (c, err) => err && reject(err),
    }).then((c) => {
      tracked.track(c)
      c.write('ping')
    }, reject)
  })
}

// Outside the tests' own frames: a suspended async function keeps its registers, which would
// hold the last connection a loop there touched and make it look leaked.
async function replaceOldest(open, count, openOne) {
  for (let replaced = 0; replaced < count; replaced += 100) {
    const oldest = [...open].slice(0, 100)
    closeAll(oldest)
    for (const c of oldest) open.delete(c)
    await Promise.all(oldest.map(() => openOne()))
  }
}

function closeAll(conns) {
  for (const c of conns) c.close()
  if (conns instanceof Set) conns.clear()
}

async function baseline() {
  stats() // the reactor (and its descriptors) exists before counting
  await sleep(10)
  return { fds: fdCount(), slabs: stats().slabs }
}

async function checkNothingLeft(t, before, tracked) {
  const st = stats()
  t.equal(st.connections, 0, 'no connection left')
  t.equal(st.chunksInUse, 0, 'every chunk is back')
  await until(() => fdCount() <= before.fds, 'descriptors to close')
  t.ok(fdCount() <= before.fds, `descriptors: ${before.fds} before, ${fdCount()} after`)
  const live = await tracked.live()
  t.equal(live, 0, `Connection objects still alive: ${live}`)
}

t.test('50,000 connect/echo/close cycles', async (t) => {
  const before = await baseline()
  const tracked = liveCounter()
  const { s, port, counts } = await echoServer(t, tracked)
  const TOTAL = 50000
  const CONCURRENCY = 64
  let started = 0
  const worker = async () => {
    while (started < TOTAL) {
      started++
      await echoOnce(port, tracked, (c, done) => {
        c.close()
        done()
      })
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  await until(() => counts.closed === TOTAL, 'every server-side close', 20000)
  await s.close()
  t.equal(counts.opened, TOTAL, 'every connection was accepted')
  t.same(counts.errors, [], 'every close was clean')
  // At most an input and an output chunk per side of each open pair, 64 chunks a slab: the pool
  // grows with what is open at once (on top of what it had, io_uring's buffer ring included),
  // never with the number of cycles.
  const bound = before.slabs + Math.ceil((CONCURRENCY * 4) / 64)
  t.ok(stats().slabs <= bound, `slabs: ${stats().slabs} after ${TOTAL} cycles (bound ${bound})`)
  await checkNothingLeft(t, before, tracked)
})

t.test('2,000 connections open at once, replaced one by one', async (t) => {
  const before = await baseline()
  const tracked = liveCounter()
  const { s, port, counts } = await echoServer(t, tracked)
  const OPEN = 2000
  const REPLACEMENTS = 10000
  const open = new Set()
  const keepOne = () =>
    echoOnce(port, tracked, (c, done) => {
      open.add(c)
      done()
    })
  await Promise.all(Array.from({ length: OPEN }, keepOne))
  t.equal(open.size, OPEN, `${OPEN} connections open`)
  t.equal(s.connections, OPEN, 'and as many on the server side')
  await replaceOldest(open, REPLACEMENTS, keepOne)
  t.equal(open.size, OPEN, 'still 2,000 open after 10,000 replacements')
  closeAll(open)
  await until(() => counts.closed === OPEN + REPLACEMENTS, 'every server-side close', 20000)
  await s.close()
  t.same(counts.errors, [], 'every close was clean')
  await checkNothingLeft(t, before, tracked)
})
