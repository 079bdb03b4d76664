// After the peer's FIN, a socket nobody reads still emits 'end' and closes (net calls read(0) at
// the end of input), so the peer and server.close() are not left waiting.
import t from 'tap'
import net from 'node:net'
import { sameOnBoth, once, listen } from './helpers/net-compare.mjs'

t.test('an unread accepted socket ends and closes after the peer ends', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const server = impl.createServer((socket) => {
      socket.on('end', () => log.push('end'))
      socket.on('close', () => log.push('close'))
    })
    const port = await listen(server)
    const client = net.connect(port, '127.0.0.1', () => client.end())
    client.resume()
    await once(client, 'close')
    await new Promise((resolve) => server.close(resolve))
    return log
  })
  t.same(log, ['end', 'close'])
})

t.test('an unread client socket ends and closes after the server ends it', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const server = net.createServer((socket) => socket.end())
    const port = await listen(server)
    const client = impl.connect(port, '127.0.0.1')
    client.on('end', () => log.push('end'))
    await once(client, 'close')
    log.push('close')
    await new Promise((resolve) => server.close(resolve))
    return log
  })
  t.same(log, ['end', 'close'])
})
