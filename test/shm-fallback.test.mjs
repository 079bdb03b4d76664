// A shm listener serves every client: one that asks for shm gets a lane, one that does not (a
// ringpoll client without shm, a node:net client, one that waits for the server to speak first)
// gets a plain Unix connection, and nothing is lost either way.
import t from 'tap'
import net from 'node:net'
import { createServer, stats } from 'ringpoll'
import { netRoundTrip, payload, socketPath } from './helpers/util.mjs'
import { lanesGone, roundTrip, shmEcho } from './helpers/shm.mjs'

t.test('a ringpoll client without shm gets a plain unix connection', async (t) => {
  const { server, path, transports } = await shmEcho()
  const data = payload(200000)
  const { transport, echoed } = await roundTrip(path, [data], { shm: false })
  t.equal(transport, 'unix', "the client's transport is unix")
  t.ok(echoed.equals(data), 'echoed intact')
  t.same(transports, ['unix'], 'the server side is unix too')
  await server.close()
})

t.test('a node:net client that speaks first gets a plain connection', async (t) => {
  const { server, path, transports } = await shmEcho()
  const data = payload(100000)
  const echoed = await netRoundTrip({ path }, data)
  t.ok(echoed.equals(data), 'echoed intact')
  t.same(transports, ['unix'])
  await server.close()
})

t.test('a client that waits for the server to speak first still hears it', async (t) => {
  const server = createServer({
    onConnect(conn) {
      conn.write(`hello over ${conn.transport}\n`)
    },
    onData(conn) {
      conn.reader.release()
    },
  })
  const path = socketPath()
  await server.listen({ path, shm: true })
  const greeting = await new Promise((resolve, reject) => {
    const socket = net.connect({ path })
    socket.on('error', reject)
    socket.once('data', (d) => {
      socket.end()
      resolve(d.toString())
    })
  })
  t.equal(greeting, 'hello over unix\n', 'the greeting came once the wait for a Hello ran out')
  await server.close()
})

t.test('a client whose first byte is the magic\'s first byte, then plain data', async (t) => {
  const { server, path, transports } = await shmEcho()
  const data = Buffer.concat([Buffer.from([0]), payload(5000)])
  const echoed = await netRoundTrip({ path }, data)
  t.ok(echoed.equals(data), 'echoed intact')
  t.same(transports, ['unix'])
  await server.close()
})

t.test('a shm client to a shm listener gets a lane', async (t) => {
  const before = stats().shmRefused
  const { server, path, transports } = await shmEcho()
  const data = payload(300000)
  const { transport, echoed } = await roundTrip(path, [data])
  t.equal(transport, 'shm')
  t.ok(echoed.equals(data))
  t.same(transports, ['shm'])
  t.equal(stats().shmRefused, before, 'nothing was refused')
  await server.close()
  await lanesGone(t)
})
