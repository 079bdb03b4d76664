// Server behaviours net has beyond the address: readableAll/writableAll on a Unix socket, and
// events.captureRejections for an async 'connection' listener.
import t from 'tap'
import net from 'node:net'
import { statSync } from 'node:fs'
import { EventEmitter } from 'node:events'
import { sameOnBoth, once, listen } from './helpers/net-compare.mjs'
import { socketPath } from './helpers/util.mjs'

t.test('readableAll and writableAll give everyone access to the socket file', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const path = socketPath()
    const server = impl.createServer()
    server.listen({ path, readableAll: true, writableAll: true })
    await once(server, 'listening')
    const mode = statSync(path).mode & 0o066
    await new Promise((resolve) => server.close(resolve))
    return mode.toString(8)
  })
  t.equal(log, '66')
})

t.test('with captureRejections, a rejecting connection listener destroys that socket with the error', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const saved = EventEmitter.captureRejections
    EventEmitter.captureRejections = true
    const server = impl.createServer(async (socket) => {
      socket.on('error', (err) => log.push(`error:${err.message}`))
      socket.on('close', () => log.push('close'))
      throw new Error('kaboom')
    })
    EventEmitter.captureRejections = saved
    const port = await listen(server)
    const client = net.connect(port, '127.0.0.1')
    client.on('error', () => {})
    client.resume()
    await once(client, 'close')
    await new Promise((resolve) => server.close(resolve))
    return log
  })
  t.same(log, ['error:kaboom', 'close'])
})

t.test("close() right after listen(): no 'listening', and none later once 'localhost' resolves", async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    for (const host of [undefined, 'localhost']) {
      const server = impl.createServer()
      server.on('listening', () => log.push(`listening ${host}`))
      server.listen(0, host)
      server.close(() => log.push(`closed ${host}`))
      await once(server, 'close')
      await new Promise((resolve) => setTimeout(resolve, 20)) // a lookup still running has its turn
      log.push(`listening:${server.listening} address:${server.address()}`)
    }
    return log
  })
  t.same(log, ['closed undefined', 'listening:false address:null', 'closed localhost', 'listening:false address:null'])
})
