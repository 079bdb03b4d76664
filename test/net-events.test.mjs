// The same scenarios on node:net and on ringpoll/net give the same events in the same order.
// The peer in each scenario is a plain node:net socket, so only the side under test differs.
import t from 'tap'
import net from 'node:net'
import { sameOnBoth, record, once, listen, freePort } from './helpers/net-compare.mjs'

/** A server of `impl` whose connection goes to `onSocket`; `closed` resolves on its 'close'. */
async function serverOf(impl, options, onSocket) {
  let closedNow
  const closed = new Promise((resolve) => (closedNow = resolve))
  const server = impl.createServer(options, (socket) => {
    onSocket(socket)
    socket.on('close', closedNow)
  })
  const port = await listen(server)
  return { server, port, closed }
}

const closeServer = (server) => new Promise((resolve) => server.close(() => resolve()))

t.test('echo: both ends of the implementation', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const serverLog = []
    const clientLog = []
    const { server, port, closed } = await serverOf(impl, {}, (socket) => {
      record(socket, serverLog)
      socket.on('data', (d) => socket.write(d))
    })
    const client = impl.connect(port, '127.0.0.1')
    record(client, clientLog)
    const words = ['one', 'two', 'three']
    client.once('connect', () => client.write(words.shift()))
    let echoed = ''
    client.on('data', (d) => {
      echoed += d
      if (words.length > 0) client.write(words.shift())
      else if (echoed === 'onetwothree') client.end()
    })
    await once(client, 'close')
    await closed
    await closeServer(server)
    return { serverLog, clientLog }
  })
  t.same(log.serverLog, ['data:onetwothree', 'end', 'finish', 'close:false'])
  t.same(log.clientLog, ['connect', 'ready', 'data:onetwothree', 'finish', 'end', 'close:false'])
})

t.test('half-close without allowHalfOpen: the socket ends itself, and writing after the FIN is EPIPE', async (t) => {
  await sameOnBoth(t, async (impl) => {
    const log = []
    const { server, port, closed } = await serverOf(impl, {}, (socket) => {
      record(socket, log)
      socket.on('end', () => {
        setImmediate(() => {
          socket.write('too late', (err) => log.push(`write callback:${err?.code}`))
          log.push(`writable:${socket.writable}`)
        })
      })
    })
    const peer = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    record(peer, log, 'peer ')
    peer.end('ping')
    await once(peer, 'end')
    await closed
    peer.destroy()
    await once(peer, 'close')
    await closeServer(server)
    return log
  })
})

t.test('half-close with allowHalfOpen: the socket answers after the FIN', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const { server, port, closed } = await serverOf(impl, { allowHalfOpen: true }, (socket) => {
      record(socket, log)
      socket.on('end', () => {
        log.push(`readyState:${socket.readyState}`)
        socket.end('reply after FIN')
      })
    })
    const peer = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    let reply = ''
    peer.on('data', (d) => (reply += d))
    peer.end('request')
    await once(peer, 'end')
    peer.destroy()
    await closed
    log.push(`peer got:${reply}`)
    await closeServer(server)
    return log
  })
  t.same(log, ['data:request', 'end', 'readyState:writeOnly', 'finish', 'close:false', 'peer got:reply after FIN'])
})

t.test('pauseOnConnect: nothing is read until resume()', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const { server, port, closed } = await serverOf(impl, { pauseOnConnect: true }, (socket) => {
      log.push(`flowing:${socket.readableFlowing}`)
      record(socket, log)
      setTimeout(() => {
        log.push(`buffered before resume:${socket.readableLength}`)
        socket.resume()
      }, 50)
    })
    net.connect(port, '127.0.0.1').end('held back')
    await closed
    await closeServer(server)
    return log
  })
  t.same(log, ['flowing:false', 'buffered before resume:0', 'data:held back', 'end', 'finish', 'close:false'])
})

t.test('peer reset: error ECONNRESET, then close with hadError', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const { server, port, closed } = await serverOf(impl, {}, (socket) => {
      record(socket, log)
      socket.on('error', (err) => log.push(`syscall:${err.syscall}`))
      socket.once('data', () => socket.write('ack'))
    })
    const peer = net.connect(port, '127.0.0.1', () => peer.write('x'))
    await once(peer, 'data')
    peer.resetAndDestroy()
    await closed
    await closeServer(server)
    return log
  })
  t.same(log, ['data:x', 'error:ECONNRESET', 'syscall:read', 'close:true'])
})

t.test("setTimeout: 'timeout' without closing; setTimeout(0) turns it off", async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const { server, port, closed } = await serverOf(impl, {}, (socket) => {
      record(socket, log)
      socket.setTimeout(20, () => {
        log.push(`callback readyState:${socket.readyState} destroyed:${socket.destroyed}`)
        socket.setTimeout(0)
        // Nothing more may fire; the peer then ends the connection.
        setTimeout(() => peer.end(), 100)
      })
    })
    const peer = net.connect(port, '127.0.0.1')
    await closed
    await closeServer(server)
    return log
  })
  t.same(log, ['timeout', 'callback readyState:open destroyed:false', 'end', 'finish', 'close:false'])
})

t.test('destroy() in the middle of a large write', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const { server, port, closed } = await serverOf(impl, {}, (socket) => {
      record(socket, log)
      const ok = socket.write(Buffer.alloc(16 << 20, 'x'), (err) => log.push(`write callback:${err ? 'error' : 'ok'}`))
      log.push(`write returned:${ok}`)
      setImmediate(() => {
        socket.destroy()
        log.push(`destroyed:${socket.destroyed} readyState:${socket.readyState}`)
      })
    })
    const peer = net.connect(port, '127.0.0.1')
    peer.pause() // not reading: the write cannot complete
    await closed
    peer.resume()
    let got = 0
    peer.on('data', (d) => (got += d.length))
    await once(peer, 'close')
    log.push(`peer got part:${got > 0 && got < 16 << 20}`)
    await closeServer(server)
    return log
  })
  t.same(log.slice(0, 2), ['write returned:false', 'destroyed:true readyState:closed'])
  t.ok(log.includes('close:false'), 'closed without an error')
  t.notOk(log.some((e) => e.startsWith('error')), 'no error event')
})

t.test('server.close() with a connection open: close waits for it', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const serverLog = []
    const socketLog = []
    let socket
    let accepted
    const server = impl.createServer((s) => {
      socket = s
      record(s, socketLog)
      accepted()
    })
    server.on('close', () => serverLog.push(`close, socket destroyed:${socket.destroyed}`))
    const port = await listen(server)
    const connected = new Promise((resolve) => (accepted = resolve))
    const peer = net.connect(port, '127.0.0.1')
    await connected
    const closed = new Promise((resolve) => server.close((err) => resolve(serverLog.push(`close callback:${err?.code}`))))
    serverLog.push(`listening:${server.listening}`)
    server.getConnections((err, n) => {
      serverLog.push(`connections:${n}`)
      peer.end()
    })
    await closed
    // A second close() on a closed server reports it.
    await new Promise((resolve) => server.close((err) => resolve(serverLog.push(`second close:${err?.code}`))))
    if (!socketLog.includes('close:false')) await once(socket, 'close')
    return { serverLog, socketLog }
  })
  t.same(log.serverLog, [
    'listening:false',
    'connections:1',
    'close, socket destroyed:true',
    'close callback:undefined',
    'close, socket destroyed:true', // net emits 'close' again for the second close()
    'second close:ERR_SERVER_NOT_RUNNING',
  ])
  t.same(log.socketLog, ['end', 'finish', 'close:false'])
})

t.test('EADDRINUSE: the same error, and no listening', async (t) => {
  const holder = net.createServer()
  const port = await listen(holder)
  t.teardown(() => holder.close())
  const log = await sameOnBoth(t, async (impl) => {
    const server = impl.createServer()
    const log = []
    server.on('listening', () => log.push('listening'))
    server.listen(port, '127.0.0.1')
    const err = await once(server, 'error')
    const { code, errno, syscall, address, message } = err
    log.push({ code, errno, syscall, address, port: err.port === port, message: message.replace(String(port), 'PORT') })
    log.push(`address:${server.address()} listening:${server.listening}`)
    return log
  })
  t.equal(log[0].code, 'EADDRINUSE')
})

t.test('ECONNREFUSED: error with the target, then close with hadError', async (t) => {
  const port = await freePort()
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const socket = impl.connect(port, '127.0.0.1')
    log.push(`readyState:${socket.readyState} pending:${socket.pending} connecting:${socket.connecting}`)
    record(socket, log)
    socket.on('error', (err) => {
      const { code, errno, syscall, address, message } = err
      log.push({ code, errno, syscall, address, port: err.port === port, message: message.replace(String(port), 'PORT') })
    })
    await once(socket, 'close')
    log.push(`readyState:${socket.readyState} destroyed:${socket.destroyed}`)
    return log
  })
  t.equal(log[0], 'readyState:opening pending:true connecting:true')
  t.ok(log.includes('error:ECONNREFUSED'))
})

t.test('a Unix socket: listen(path), connect(path), address() is the path', async (t) => {
  const { socketPath } = await import('./helpers/util.mjs')
  const log = await sameOnBoth(t, async (impl) => {
    const path = socketPath()
    const log = []
    let socketClosed
    const closed = new Promise((resolve) => (socketClosed = resolve))
    const server = impl.createServer((socket) => {
      record(socket, log)
      socket.on('close', socketClosed)
      socket.end('over a Unix socket')
    })
    server.listen(path)
    await once(server, 'listening')
    log.push(`address is the path:${server.address() === path}`)
    const client = impl.connect(path)
    const clientLog = []
    record(client, clientLog)
    await once(client, 'close')
    await closed
    await closeServer(server)
    return { log, clientLog }
  })
  t.ok(log.clientLog.includes('data:over a Unix socket'))
})
