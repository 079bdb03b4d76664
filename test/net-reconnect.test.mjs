// A socket connects again after it closed or failed, as net's does, with its byte counts reset.
import t from 'tap'
import net from 'node:net'
import { sameOnBoth, once, listen, freePort } from './helpers/net-compare.mjs'

t.test('connect() again after a clean close', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const server = net.createServer((s) => s.resume().end('hi'))
    const port = await listen(server)
    const socket = new impl.Socket()
    for (let round = 0; round < 2; round++) {
      socket.connect(port, '127.0.0.1')
      socket.resume()
      socket.write('abc')
      await once(socket, 'close')
      log.push(`read:${socket.bytesRead} written:${socket.bytesWritten} pending:${socket.pending}`)
    }
    await new Promise((resolve) => server.close(resolve))
    return log
  })
  t.same(log, ['read:2 written:3 pending:true', 'read:2 written:3 pending:true'])
})

t.test('connect() again after ECONNREFUSED', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const port = await freePort()
    const socket = new impl.Socket()
    socket.on('error', (err) => log.push(`${err.code} ${err.address} ${err.port === port}`))
    for (let round = 0; round < 3; round++) {
      socket.connect(port, '127.0.0.1')
      await once(socket, 'close')
    }
    return log
  })
  t.same(log, Array(3).fill('ECONNREFUSED 127.0.0.1 true'))
})
