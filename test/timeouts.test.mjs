// Idle and connect timeouts close with ETIMEDOUT.
import t from 'tap'
import { createServer, connect } from 'ringpoll'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { netConnect, until } from './helpers/util.mjs'

t.test('idleTimeout closes a silent connection with ETIMEDOUT', async (t) => {
  const closes = []
  const s = createServer({ idleTimeout: 100, onClose: (c, err) => closes.push(err?.code) })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  const ended = new Promise((resolve) => socket.on('close', resolve))
  await until(() => closes.length === 1, 'the idle timeout', 5000)
  t.same(closes, ['ETIMEDOUT'])
  await ended
  await s.close()
})

t.test('activity keeps a connection open; setIdleTimeout(0) turns the timeout off', async (t) => {
  const closes = []
  let conn
  const s = createServer({
    idleTimeout: 200,
    onConnect: (c) => (conn = c),
    onData: (c) => {
      c.reader.skip(c.reader.length)
      c.reader.release()
    },
    onClose: (c, err) => closes.push(err?.code ?? 'clean'),
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = await netConnect({ port, host: '127.0.0.1' })
  await until(() => conn, 'accept')
  conn.setIdleTimeout(0)
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.same(closes, [], 'no timeout once turned off')
  conn.setIdleTimeout(50)
  await until(() => closes.length === 1, 'the new timeout')
  t.same(closes, ['ETIMEDOUT'])
  socket.destroy()
  await s.close()
})

t.test('a client connection has an idle timeout too', async (t) => {
  const s = createServer({})
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const closes = []
  await connect({ port, host: '127.0.0.1' }, { idleTimeout: 50, onClose: (c, err) => closes.push(err?.code) })
  await until(() => closes.length === 1, 'client idle timeout')
  t.same(closes, ['ETIMEDOUT'])
  await s.close()
})

t.test('connect timeout rejects with ETIMEDOUT', async (t) => {
  const child = fork(fileURLToPath(new URL('./helpers/stalled-listener.cjs', import.meta.url)))
  t.teardown(() => child.kill())
  const port = await new Promise((resolve) => child.once('message', resolve))
  // With a backlog of 1 the accept queue holds two connections; the SYNs of later ones are dropped.
  for (let i = 0; i < 2; i++) {
    const filler = await netConnect({ port, host: '127.0.0.1' })
    t.teardown(() => filler.destroy())
  }
  const started = connect({ port, host: '127.0.0.1', timeout: 100 }, {})
  await t.rejects(started, { code: 'ETIMEDOUT' })
})
