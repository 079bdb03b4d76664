// Backend choice: explicit epoll and io_uring servers and clients side by side, RINGPOLL_BACKEND,
// and the fallback to epoll when the kernel refuses the ring.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createServer, connect, stats } from 'ringpoll'
import { allChunksBack, payload, ringpollEcho, until } from './helpers/util.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))

// Echoes `size` bytes through a server on one backend and a client on the other.
async function echoAcross(t, serverBackend, clientBackend, size) {
  const { server, address } = await ringpollEcho({ port: 0, host: '127.0.0.1' }, { backend: serverBackend })
  t.equal(server.backend, serverBackend, `the server runs on ${serverBackend}`)
  const data = payload(size)
  const received = []
  let got = 0
  const conn = await connect(address, {
    backend: clientBackend,
    onData(c) {
      got += c.reader.length
      received.push(c.reader.readBuffer(c.reader.length))
      c.reader.release()
    },
  })
  conn.write(data)
  await until(() => got >= size, `${size} bytes back`)
  t.ok(Buffer.concat(received).equals(data), `${serverBackend} server, ${clientBackend} client: bytes intact`)
  conn.close()
  await server.close()
}

t.test('epoll and io_uring connections share one thread', async (t) => {
  await echoAcross(t, 'io_uring', 'epoll', 3 << 20)
  await echoAcross(t, 'epoll', 'io_uring', 3 << 20)
  await echoAcross(t, 'io_uring', 'io_uring', 100)
  await until(() => stats().connections === 0, 'every connection closed')
  await allChunksBack(t, 'no chunk held after everything closed')
})

t.test('RINGPOLL_BACKEND sets what auto means', async (t) => {
  const expected = process.env.RINGPOLL_BACKEND === 'epoll' ? 'epoll' : 'io_uring'
  t.equal(stats().backend, expected)
  const s = createServer({})
  await s.listen({ port: 0, host: '127.0.0.1' })
  t.equal(s.backend, expected)
  await s.close()
  t.equal(s.backend, null, 'no backend once closed')
})

// A child process with its own reactor, so that the ring's probe runs afresh.
function child(env, code) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: here,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  })
  return JSON.parse(out)
}

t.test('a ring the kernel refuses falls back to epoll', async (t) => {
  // 65536 submission entries is past the kernel's limit (32768): io_uring_setup fails.
  const result = child({ RINGPOLL_BACKEND: 'io_uring', RINGPOLL_URING_ENTRIES: '65536' }, `
    import { createServer, connect, stats } from 'ringpoll'
    const s = createServer({ backend: 'io_uring', onData(c) { c.write(c.reader.next(c.reader.length)); c.reader.release() } })
    const address = await s.listen({ port: 0, host: '127.0.0.1' })
    const reply = await new Promise((resolve) => {
      connect(address, { onConnect(c) { c.write('ping') }, onData(c) { resolve(c.reader.readString(c.reader.length)); c.close() } })
    })
    console.log(JSON.stringify({ auto: stats().backend, server: s.backend, reply }))
    await s.close()
  `)
  t.same(result, { auto: 'epoll', server: 'epoll', reply: 'ping' })
})

t.test('a bad backend is refused with a clear error', async (t) => {
  t.throws(() => createServer({ backend: 'kqueue' }), {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_VALUE',
    message: "The property 'options.backend' must be one of: 'auto', 'epoll', 'io_uring'. Received 'kqueue'",
  })
  t.throws(() => createServer({ backend: 1 }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  await t.rejects(connect({ port: 1, host: '127.0.0.1' }, { backend: 'uring' }), { code: 'ERR_INVALID_ARG_VALUE' })
  const result = child({ RINGPOLL_BACKEND: 'select' }, `
    import { stats } from 'ringpoll'
    try { stats(); console.log('null') } catch (err) { console.log(JSON.stringify(err.constructor.name + ': ' + err.message)) }
  `)
  t.match(result, /^TypeError: The argument 'RINGPOLL_BACKEND' must be one of/)
})

t.test('receives that run out of buffers resume once buffers return, losing nothing', async (t) => {
  // A ring of two buffers runs dry on every large read: each receive ends with ENOBUFS and is
  // re-armed after the refill.
  const result = child({ RINGPOLL_BACKEND: 'io_uring', RINGPOLL_URING_BUFFERS: '2' }, `
    import { createHash } from 'node:crypto'
    import { createServer, connect, stats } from 'ringpoll'
    import { payload } from './helpers/util.mjs'
    const s = createServer({ onData(c) { c.write(c.reader.next(c.reader.length)); c.reader.release() } })
    const address = await s.listen({ port: 0, host: '127.0.0.1' })
    const size = 4 << 20
    const digests = await Promise.all([1, 2, 3, 4].map((seed) => new Promise((resolve) => {
      const hash = createHash('sha256')
      let got = 0
      connect(address, {
        onConnect(c) { c.write(payload(size, seed)) },
        onData(c) {
          got += c.reader.length
          hash.update(c.reader.next(c.reader.length))
          c.reader.release()
          if (got === size) { c.close(); resolve(hash.digest('hex') === createHash('sha256').update(payload(size, seed)).digest('hex')) }
        },
      })
    })))
    await s.close()
    console.log(JSON.stringify({ backend: stats().backend, digests, chunksInUse: stats().chunksInUse }))
  `)
  t.same(result, { backend: 'io_uring', digests: [true, true, true, true], chunksInUse: 0 })
})
