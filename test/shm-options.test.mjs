// shm is for Unix sockets: with a port, listen() and connect() throw node's TypeError
// (ERR_INVALID_ARG_VALUE); anything but a boolean is ERR_INVALID_ARG_TYPE.
import t from 'tap'
import { connect, createServer } from 'ringpoll'
import { socketPath } from './helpers/util.mjs'

t.test('listen({ port, shm: true }) is a TypeError', async (t) => {
  const server = createServer({})
  await t.rejects(server.listen({ port: 0, host: '127.0.0.1', shm: true }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  await t.rejects(server.listen({ path: socketPath(), shm: 'yes' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  t.equal(server.address(), null, 'nothing was bound')
})

t.test('connect({ port, shm: true }) is a TypeError', async (t) => {
  await t.rejects(connect({ port: 1, host: '127.0.0.1', shm: true }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  await t.rejects(connect({ path: socketPath(), shm: 1 }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
})

t.test('shm: false with a port is allowed', async (t) => {
  const server = createServer({})
  const address = await server.listen({ port: 0, host: '127.0.0.1', shm: false })
  t.equal(typeof address.port, 'number')
  await server.close()
})
