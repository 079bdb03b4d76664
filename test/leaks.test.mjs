// Nothing leaks: after a server has closed all its connections (10,000 connect/close cycles
// included) it holds no fds beyond its own and every slab chunk is back.
import t from 'tap'
import net from 'node:net'
import { createServer, connect, stats } from 'ringpoll'
import { allChunksBack, fdCount, sleep, until } from './helpers/util.mjs'

async function cycles(port, total, concurrency, open) {
  let started = 0
  const worker = async () => {
    while (started < total) {
      started++
      await open(port)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

const netCycle = (port) =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('ping')
      socket.end()
    })
    socket.on('data', () => {})
    socket.on('close', resolve)
    socket.on('error', resolve)
  })

t.test('10,000 node:net connect/close cycles', async (t) => {
  stats() // the reactor (and its epoll fd) exists before the baseline
  await sleep(10)
  const fdsBefore = fdCount()
  let opened = 0
  let closed = 0
  const s = createServer({
    onConnect: () => opened++,
    onData(c) {
      c.write(c.reader.next(c.reader.length))
      c.reader.release()
    },
    onClose: () => closed++,
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  await cycles(port, 10000, 100, netCycle)
  await until(() => closed === opened, 'every onClose')
  await s.close()
  t.equal(opened, 10000, 'every connection was accepted')
  t.equal(closed, opened, 'onClose once per connection')
  const st = stats()
  t.equal(st.connections, 0, 'no connection left')
  t.equal(st.listeners, 0, 'no listener left')
  t.equal(st.chunksInUse, 0, 'every chunk is back')
  await until(() => fdCount() <= fdsBefore, 'fds to be closed')
  t.ok(fdCount() <= fdsBefore, `fds: ${fdsBefore} before, ${fdCount()} after`)
})

t.test('ringpoll clients that close with data and output pending', async (t) => {
  let serverCloses = 0
  const s = createServer({
    onData(c) {
      c.write(Buffer.alloc(100000)) // output still queued when the client goes
      c.reader.release()
    },
    onClose: () => serverCloses++,
  })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  let clientCloses = 0
  await cycles(port, 500, 50, async () => {
    const conn = await connect({ port, host: '127.0.0.1' }, { onClose: () => clientCloses++ })
    conn.write('x'.repeat(3000))
    await sleep(0)
    conn.close()
  })
  await until(() => serverCloses === 500 && clientCloses === 500, 'every close')
  await s.close()
  t.equal(stats().connections, 0)
  await allChunksBack(t, 'every chunk is back')
})
