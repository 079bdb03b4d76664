// The net.Socket and net.Server surface: addresses, states, byte counts, limits and bad input,
// compared with node:net where both give a value.
import t from 'tap'
import net from 'node:net'
import * as ringpollNet from 'ringpoll/net'
import { sameOnBoth, once, listen } from './helpers/net-compare.mjs'

t.test('addresses, readyState, pending and byte counts', async (t) => {
  const seen = await sameOnBoth(t, async (impl) => {
    let serverSide
    const server = impl.createServer((socket) => {
      serverSide = socket
      socket.on('data', (d) => socket.write(d))
    })
    const port = await listen(server)
    const client = impl.connect({ port, host: '127.0.0.1' })
    const before = { readyState: client.readyState, pending: client.pending, remoteAddress: client.remoteAddress }
    await once(client, 'connect')
    client.write('0123456789')
    await once(client, 'data')
    const describe = (s, peer) => ({
      readyState: s.readyState,
      pending: s.pending,
      remoteAddress: s.remoteAddress,
      remoteFamily: s.remoteFamily,
      remotePortIsPeers: s.remotePort === peer.localPort,
      localAddress: s.localAddress,
      localFamily: s.localFamily,
      address: { ...s.address(), port: s.address().port === s.localPort },
      bytesRead: s.bytesRead,
      bytesWritten: s.bytesWritten,
      chained: s.setNoDelay(true) === s && s.setKeepAlive(true, 1000) === s && s.setTimeout(0) === s,
    })
    const out = { before, client: describe(client, serverSide), server: describe(serverSide, client) }
    out.serverAddress = { ...server.address(), port: server.address().port === port }
    client.end()
    await once(serverSide, 'close')
    out.afterClose = { readyState: serverSide.readyState, destroyed: serverSide.destroyed, bytesRead: serverSide.bytesRead }
    await new Promise((resolve) => server.close(resolve))
    return out
  })
  t.same(seen.client.remoteAddress, '127.0.0.1')
  t.equal(seen.server.bytesRead, 10)
})

t.test('maxConnections: connections past it are dropped', async (t) => {
  await sameOnBoth(t, async (impl) => {
    const log = []
    const server = impl.createServer((socket) => {
      log.push('connection')
      socket.resume()
    })
    server.maxConnections = 1
    server.on('drop', (data) => log.push(`drop from ${data.remoteAddress}`))
    const port = await listen(server)
    const first = net.connect(port, '127.0.0.1')
    await once(server, 'connection')
    const second = net.connect(port, '127.0.0.1')
    second.on('error', () => {})
    await once(second, 'close')
    log.push('second closed')
    await new Promise((resolve) => server.getConnections((err, n) => resolve(log.push(`connections:${n}`))))
    first.destroy()
    await new Promise((resolve) => server.close(resolve))
    return log
  })
})

t.test('bad arguments throw the errors net throws', async (t) => {
  const codes = await sameOnBoth(t, async (impl) => {
    const codeOf = (fn) => {
      try {
        fn()
        return 'no error'
      } catch (err) {
        return `${err.name} ${err.code}`
      }
    }
    const server = impl.createServer()
    const socket = new impl.Socket()
    return {
      badPort: codeOf(() => impl.createServer().listen({ port: 70000 })),
      badPortString: codeOf(() => impl.createServer().listen({ port: 'eighty', host: '127.0.0.1' })),
      noPortOrPath: codeOf(() => impl.createServer().listen({ host: '127.0.0.1' })),
      connectNothing: codeOf(() => impl.connect({})),
      connectBadPort: codeOf(() => impl.connect({ port: -1 })),
      timeoutNotNumber: codeOf(() => socket.setTimeout('1')),
      timeoutNegative: codeOf(() => socket.setTimeout(-1)),
      listenTwice: await (async () => {
        server.listen(0, '127.0.0.1')
        await once(server, 'listening')
        const code = codeOf(() => server.listen(0, '127.0.0.1'))
        await new Promise((resolve) => server.close(resolve))
        return code
      })(),
    }
  })
  t.equal(codes.badPort, 'RangeError ERR_SOCKET_BAD_PORT')
  t.equal(codes.listenTwice, 'Error ERR_SERVER_ALREADY_LISTEN')
})

t.test('ringpoll/net refuses connect options it cannot honour', async (t) => {
  t.throws(() => ringpollNet.connect({ port: 1, host: '127.0.0.1', localAddress: '127.0.0.1' }), { code: 'ERR_INVALID_ARG_VALUE' })
})

t.test('an exception in a listener is uncaught, as under net, and the connection goes on', async (t) => {
  let first = true
  const server = ringpollNet.createServer((socket) => {
    socket.on('data', (d) => {
      if (first) {
        first = false
        throw new Error('listener bug')
      }
      socket.end(`after the bug: ${d}`)
    })
  })
  const port = await listen(server)
  const uncaught = new Promise((resolve) => process.once('uncaughtException', resolve))
  const client = net.connect(port, '127.0.0.1', () => client.write('x'))
  let reply = ''
  client.on('data', (d) => (reply += d))
  t.equal((await uncaught).message, 'listener bug')
  client.write('y')
  await once(client, 'end')
  t.equal(reply, 'after the bug: y')
  await new Promise((resolve) => server.close(resolve))
})
