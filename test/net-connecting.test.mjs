// What a socket does while it is still connecting: writes counted in bytesWritten and bufferSize,
// their callbacks failed with ERR_SOCKET_CLOSED_BEFORE_CONNECTION if it is destroyed first,
// pause()/resume() remembered, and 'lookup' emitted for a host name.
import t from 'tap'
import net from 'node:net'
import { sameOnBoth, once, listen } from './helpers/net-compare.mjs'

const closeServer = (server) => new Promise((resolve) => server.close(resolve))

t.test('writes before the connection count in bytesWritten and bufferSize', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const server = net.createServer((s) => s.resume().on('end', () => s.end()))
    const port = await listen(server)
    const socket = impl.connect(port, '127.0.0.1')
    socket.cork()
    socket.write('one')
    socket.write(Buffer.from('twø'))
    socket.uncork()
    log.push(`corked:${socket.bytesWritten}`)
    socket.write('é', () => log.push(`callback:${socket.bytesWritten}`))
    log.push(`queued:${socket.bytesWritten} bufferSize:${socket.bufferSize}`)
    socket.end()
    socket.resume()
    await once(socket, 'close')
    log.push(`closed:${socket.bytesWritten} bufferSize:${socket.bufferSize}`)
    await closeServer(server)
    return log
  })
  t.same(log, ['corked:7', 'queued:9 bufferSize:8', 'callback:9', 'closed:9 bufferSize:undefined'])
})

t.test('destroyed while connecting: the write callback gets ERR_SOCKET_CLOSED_BEFORE_CONNECTION', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const server = net.createServer()
    const port = await listen(server)
    const socket = impl.connect(port, '127.0.0.1')
    socket.on('connect', () => log.push('connect'))
    socket.write('foo', (err) => log.push(`callback:${err?.code}`))
    socket.destroy()
    await once(socket, 'close')
    await closeServer(server)
    return log
  })
  t.same(log, ['callback:ERR_SOCKET_CLOSED_BEFORE_CONNECTION'])
})

t.test('resume(), resume(), pause() before connecting, then a later resume() reads', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const server = net.createServer((s) => s.end('hello'))
    const port = await listen(server)
    const socket = impl.connect(port, '127.0.0.1')
    socket.resume()
    socket.resume()
    socket.pause()
    let text = ''
    await once(socket, 'connect')
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.on('data', (d) => (text += d))
    socket.resume()
    await once(socket, 'end')
    log.push(`data:${text}`)
    await once(socket, 'close')
    await closeServer(server)
    return log
  })
  t.same(log, ['data:hello'])
})

t.test("'lookup' is emitted for a host name, and not for an IP literal", async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const server = net.createServer((s) => s.end())
    const port = await listen(server)
    for (const host of ['localhost', '127.0.0.1']) {
      const socket = impl.connect({ port, host, family: 4 })
      socket.on('lookup', (err, address, family, name) => log.push(`lookup:${err} ${address} ${family} ${name}`))
      socket.resume()
      await once(socket, 'close')
    }
    await closeServer(server)
    return log
  })
  t.same(log, ['lookup:null 127.0.0.1 4 localhost'])
})
