// Failures in a pool: a worker that fails at start rejects startWorkers() with its error (and the
// others are stopped); one that dies later is replaced and serves again, while the others go on.
import t from 'tap'
import { startWorkers } from 'ringpoll/cluster'
import { freePort, listenSucceeds, messenger, whoAnswers } from './helpers/cluster.mjs'

const serverModule = new URL('./helpers/cluster-server.mjs', import.meta.url)
const badModule = new URL('./helpers/cluster-bad.mjs', import.meta.url)

t.test('a start function that throws rejects startWorkers() with that error', async (t) => {
  const err = await startWorkers(badModule, { count: 2, workerData: { fail: 'throw' } }).catch((e) => e)
  t.type(err, RangeError)
  t.match(err, { message: 'refused to start', code: 'ERR_EXAMPLE', detail: 42 }, 'its message, code and fields')
})

t.test('one worker failing (EADDRINUSE) stops the others: the port is free after the rejection', async (t) => {
  const port = await freePort()
  await t.rejects(startWorkers(badModule, { count: 2, workerData: { fail: 'second', port } }), { code: 'EADDRINUSE' })
  await listenSucceeds(port)
  t.pass('the worker that did listen was stopped')
})

t.test('modules that cannot start', async (t) => {
  const start = (fail) => startWorkers(badModule, { count: 1, workerData: { fail } })
  await t.rejects(start('return'), { name: 'TypeError', code: 'ERR_INVALID_RETURN_VALUE' }, 'a start function returning 42')
  await t.rejects(start('exit'), { code: 'ERR_WORKER_INIT_FAILED', message: /code 3/ }, 'process.exit(3) before resolving')
  await t.rejects(startWorkers(new URL('data:text/javascript,export const x = 1'), { count: 1 }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }, 'no default export')
  await t.rejects(startWorkers(new URL('./helpers/no-such-module.mjs', import.meta.url), { count: 1 }), { code: 'ERR_MODULE_NOT_FOUND' }, 'a module that does not exist')
})

t.test('a worker that dies is replaced and serves again; the other is not disturbed', async (t) => {
  const port = await freePort()
  const pool = await startWorkers(serverModule, { count: 2, workerData: { port }, restartDelay: 10 })
  t.teardown(() => pool.close({ timeout: 2000 }))
  const exits = []
  const restarted = new Promise((resolve) => pool.once('restart', resolve))
  pool.on('exit', (e) => exits.push(e))

  // One open connection to each worker (reusePort spreads new connections; 100 tries is plenty).
  const byThread = new Map()
  for (let i = 0; i < 100 && byThread.size < 2; i++) {
    const m = await messenger(port)
    const thread = Number((await m.ask('who')).split(':')[0])
    if (byThread.has(thread)) m.socket.destroy()
    else byThread.set(thread, m)
  }
  t.equal(byThread.size, 2, 'a connection to each worker')
  const [[victimThread, victim], [survivorThread, survivor]] = [...byThread]

  victim.socket.write('die')
  await victim.closed
  t.match(await survivor.ask('still'), `${survivorThread}:still`, 'the other worker still serves its connection')

  const restart = await restarted
  t.equal(exits.length, 1, "one 'exit'")
  t.match(exits[0], { threadId: victimThread, code: 1, error: { message: 'worker died on purpose' } }, "'exit' names the worker and its error")
  t.equal(restart.index, exits[0].index, 'the same place in the pool is filled')
  t.not(restart.threadId, victimThread, 'by a new thread')
  t.equal(pool.size, 2)

  let answered = false
  for (let i = 0; i < 100 && !answered; i++) answered = (await whoAnswers(port)) === restart.threadId
  t.ok(answered, 'the replacement answers new connections')
  const { workers } = await pool.stats()
  t.same(workers.map((w) => w.threadId).sort(), [survivorThread, restart.threadId].sort(), 'stats() lists the replacement')
  survivor.socket.end()
  await survivor.closed
})

t.test('a worker that keeps dying is restarted each time, by a new thread, until close()', async (t) => {
  const pool = await startWorkers(badModule, { count: 1, workerData: { fail: 'crash' }, restartDelay: 1, maxRestartDelay: 8 })
  const exits = []
  await new Promise((resolve) => {
    pool.on('exit', (e) => {
      exits.push(e)
      if (exits.length === 4) resolve()
    })
  })
  await pool.close()
  t.equal(new Set(exits.map((e) => e.threadId)).size, 4, 'four exits, four threads')
  t.ok(exits.every((e) => e.index === 0 && e.code === 1 && e.error?.message === 'crash loop'), 'each with its error')
  t.equal(pool.size, 0)
})
