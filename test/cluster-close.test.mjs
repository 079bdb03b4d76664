// pool.close(): stops restarts, lets each worker close what its start function returned (a
// ringpoll server, a ringpoll/net server, a serve() listener) and drain, then frees the port;
// past its timeout it terminates the workers still busy.
import t from 'tap'
import http from 'node:http'
import { startWorkers } from 'ringpoll/cluster'
import { freePort, listenSucceeds, messenger } from './helpers/cluster.mjs'

const serverModule = new URL('./helpers/cluster-server.mjs', import.meta.url)

for (const kind of ['raw', 'net']) {
  t.test(`${kind}: an open connection is still served after close(), which waits for it`, async (t) => {
    const port = await freePort()
    const pool = await startWorkers(serverModule, { count: 2, workerData: { port, kind } })
    const held = await messenger(port)
    t.match(await held.ask('before'), /^\d+:before$/)
    let closed = false
    const closing = pool.close().then(() => (closed = true))
    t.match(await held.ask('after'), /^\d+:after$/, 'the open connection is still answered')
    t.notOk(closed, 'close() waits while a connection is open')
    t.equal(pool.close(), pool.close(), 'close() again gives the same promise')
    held.socket.end()
    await held.closed
    await closing
    t.equal(pool.size, 0, 'no worker left')
    await listenSucceeds(port)
    t.pass('the port is free again')
  })
}

t.test('http: a serve() listener closes after its request', async (t) => {
  const port = await freePort()
  const pool = await startWorkers(serverModule, { count: 2, workerData: { port, kind: 'http' } })
  const body = await new Promise((resolve, reject) => {
    http.get({ port, host: '127.0.0.1', path: '/x', agent: false }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve(text))
    }).on('error', reject)
  })
  t.match(body, /^\d+:\/x$/)
  await pool.close()
  t.equal(pool.size, 0)
  await listenSucceeds(port)
  t.pass('the port is free again')
})

t.test('past the timeout, a worker still busy is terminated', async (t) => {
  const port = await freePort()
  const pool = await startWorkers(serverModule, { count: 1, workerData: { port } })
  const terminated = []
  pool.on('terminate', (e) => terminated.push(e))
  const [{ threadId }] = (await pool.stats()).workers
  const held = await messenger(port)
  await held.ask('hold')
  await pool.close({ timeout: 100 })
  t.same(terminated, [{ index: 0, threadId }], "'terminate' names the worker")
  await held.closed
  t.pass('its connection is closed')
  await listenSucceeds(port)
  t.pass('the port is free again')
})

t.test('close() stops a pending restart', async (t) => {
  const port = await freePort()
  // A restart delay this long would keep the test running past tap's timeout if close() left it.
  const pool = await startWorkers(serverModule, { count: 2, workerData: { port }, restartDelay: 200_000 })
  const events = []
  pool.on('restart', () => events.push('restart'))
  const exited = new Promise((resolve) => pool.once('exit', resolve))
  const victim = await messenger(port)
  victim.socket.write('die')
  await exited
  t.equal(pool.size, 1, 'one worker left')
  await pool.close({ timeout: 2000 })
  t.same(events, [], 'no restart')
  t.equal(pool.size, 0)
})

t.test("a worker's close() error rejects close() once every worker has ended", async (t) => {
  const pool = await startWorkers(new URL('./helpers/cluster-bad.mjs', import.meta.url), { count: 2, workerData: { fail: 'close' } })
  await t.rejects(pool.close(), { message: 'close failed' })
  t.equal(pool.size, 0)
})
