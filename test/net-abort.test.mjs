// An AbortSignal on a socket or a listen: aborting destroys the socket with an AbortError, or
// closes the server, as in net.
import t from 'tap'
import net from 'node:net'
import { sameOnBoth, once, listen } from './helpers/net-compare.mjs'

t.test('a socket with a signal: aborted before, and after the connect started', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    const server = net.createServer((s) => s.destroy())
    const port = await listen(server)
    for (const when of ['after', 'constructor']) {
      const ac = new AbortController()
      if (when === 'constructor') ac.abort()
      const socket = when === 'constructor' ? new impl.Socket({ signal: ac.signal }) : impl.connect({ port, host: '127.0.0.1', signal: ac.signal })
      socket.on('error', (err) => log.push(`${when}:${err.name}`))
      socket.on('close', () => log.push(`${when}:close`))
      if (when === 'after') ac.abort()
      await once(socket, 'close')
    }
    await new Promise((resolve) => server.close(resolve))
    return log
  })
  t.same(log, ['after:AbortError', 'after:close', 'constructor:AbortError', 'constructor:close'])
})

t.test('listen with a signal: aborting closes the server; a bad signal throws', async (t) => {
  const log = await sameOnBoth(t, async (impl) => {
    const log = []
    for (const pre of [false, true]) {
      const server = impl.createServer()
      const ac = new AbortController()
      if (pre) ac.abort()
      server.on('close', () => log.push(`close pre:${pre} listening:${server.listening}`))
      server.listen({ port: 0, host: '127.0.0.1', signal: ac.signal })
      if (!pre) ac.abort()
      await once(server, 'close')
    }
    try {
      impl.createServer().listen({ port: 0, signal: 'no' })
    } catch (err) {
      log.push(err.code)
    }
    return log
  })
  t.same(log, ['close pre:false listening:false', 'close pre:true listening:false', 'ERR_INVALID_ARG_TYPE'])
})
