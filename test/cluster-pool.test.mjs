// startWorkers(): worker threads that each run their own reactor and share one port (reusePort);
// stats() gathers and sums their counters; the module may be ESM or CommonJS, a URL or a path.
import t from 'tap'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { availableCores, startWorkers, WorkerPool } from 'ringpoll/cluster'
import { stats } from 'ringpoll'
import { freePort, messenger, whoAnswers } from './helpers/cluster.mjs'

const serverModule = new URL('./helpers/cluster-server.mjs', import.meta.url)

t.test('200 node:net connections reach both workers; stats() sums theirs', async (t) => {
  const port = await freePort()
  const pool = await startWorkers(serverModule, { count: 2, workerData: { port } })
  t.teardown(() => pool.close({ timeout: 2000 }))
  t.ok(pool instanceof WorkerPool)
  t.equal(pool.size, 2, 'two workers run')

  const conns = await Promise.all(Array.from({ length: 200 }, () => messenger(port)))
  const replies = await Promise.all(conns.map((c, i) => c.ask(`m${i}`)))
  const perThread = new Map()
  let wrong = 0
  replies.forEach((reply, i) => {
    const [thread, message] = reply.split(':')
    if (message !== `m${i}`) wrong++
    perThread.set(Number(thread), (perThread.get(Number(thread)) ?? 0) + 1)
  })
  t.equal(wrong, 0, 'every connection got its own message back')
  t.equal(perThread.size, 2, `both workers answered (${[...perThread.values()].join(' + ')} connections)`)

  const { total, workers } = await pool.stats()
  t.equal(workers.length, 2, 'one row per worker')
  t.same(workers.map((w) => w.index).sort(), [0, 1])
  for (const w of workers) {
    t.equal(w.accepts, perThread.get(w.threadId), `worker ${w.index} accepted the connections it answered`)
    t.equal(w.connections, perThread.get(w.threadId), `worker ${w.index} holds them open`)
    t.equal(w.listeners, 1)
    t.ok(w.backend === 'epoll' || w.backend === 'io_uring', `worker ${w.index} runs ${w.backend}`)
  }
  t.equal(total.accepts, 200, 'the accepts sum to 200')
  t.equal(total.connections, 200)
  t.equal(total.listeners, 2)
  const sent = replies.reduce((n, _, i) => n + `m${i}`.length, 0)
  t.equal(total.bytesRead, sent, 'the bytes read sum to what was sent')
  t.equal(total.bytesWritten, replies.reduce((n, r) => n + r.length, 0), 'the bytes written sum to what came back')
  t.notOk('backend' in total, 'the total has counters only')
  t.equal(stats().listeners, 0, "the main thread's reactor has no listener")

  for (const c of conns) c.socket.end()
  await Promise.all(conns.map((c) => c.closed))
})

t.test('a CommonJS module, given as a relative path; count defaults to availableCores()', async (t) => {
  const port = await freePort()
  const path = relative(process.cwd(), fileURLToPath(new URL('./helpers/cluster-server.cjs', import.meta.url)))
  const pool = await startWorkers(path, { workerData: { port } })
  t.teardown(() => pool.close({ timeout: 2000 }))
  t.equal(pool.size, availableCores())
  t.ok(Number.isInteger(await whoAnswers(port)), 'a worker answers')
  const { workers } = await pool.stats()
  t.equal(workers.length, availableCores())
})

t.test('a file: URL string works as the module', async (t) => {
  const port = await freePort()
  const pool = await startWorkers(serverModule.href, { count: 1, workerData: { port, kind: 'net' } })
  t.teardown(() => pool.close({ timeout: 2000 }))
  const [row] = (await pool.stats()).workers
  t.equal(await whoAnswers(port), row.threadId, 'the one worker answers')
})

t.test('bad arguments', async (t) => {
  const type = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }
  const range = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }
  await t.rejects(startWorkers(42), type, 'module is a number')
  await t.rejects(startWorkers(serverModule, null), type, 'options is null')
  await t.rejects(startWorkers(serverModule, { count: '2' }), type, 'count is a string')
  await t.rejects(startWorkers(serverModule, { count: 0 }), range, 'count 0')
  await t.rejects(startWorkers(serverModule, { count: 1.5 }), range, 'count 1.5')
  await t.rejects(startWorkers(serverModule, { restartDelay: -1 }), range, 'restartDelay -1')
  await t.rejects(startWorkers(serverModule, { restartDelay: 500, maxRestartDelay: 100 }), range, 'maxRestartDelay under restartDelay')
  const port = await freePort()
  const pool = await startWorkers(serverModule, { count: 1, workerData: { port } })
  await t.rejects(pool.close({ timeout: -1 }), range, 'close() timeout -1')
  await t.rejects(pool.close('soon'), type, 'close() options is a string')
  t.equal(pool.size, 1, 'a rejected close() leaves the pool running')
  await pool.close({ timeout: 2000 })
  t.equal(pool.size, 0)
})
