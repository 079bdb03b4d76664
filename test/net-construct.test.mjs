// net's constructors and argument checks: Server() and Socket() without `new`, the default ES
// export, and the options net rejects (with the same error codes).
import t from 'tap'
import net from 'node:net'
import ringpollDefault, * as ringpollNet from 'ringpoll/net'
import { impls } from './helpers/net-compare.mjs'

t.test('Server() and Socket() construct without new, and instanceof still holds', async (t) => {
  for (const [name, impl] of Object.entries(impls)) {
    const server = impl.Server()
    t.ok(server instanceof impl.Server, `${name}: Server()`)
    const socket = impl.Socket()
    t.ok(socket instanceof impl.Socket && socket instanceof impl.Stream, `${name}: Socket()`)
    socket.destroy()
  }
})

t.test("the default export is the module, as node:net's", async (t) => {
  t.equal(ringpollDefault.createServer, ringpollNet.createServer)
  t.equal(ringpollDefault.Socket, ringpollNet.Socket)
})

/** The error code each call throws (or 'none'), on one implementation. */
function codes(impl, calls) {
  return calls.map((call) => {
    try {
      const socket = call(impl)
      socket?.destroy?.()
      return 'none'
    } catch (err) {
      return `${err.name}:${err.code}`
    }
  })
}

t.test('invalid connect options throw what net throws', async (t) => {
  const calls = [
    (n) => n.createConnection({ port: 8080, objectMode: true }),
    (n) => n.createConnection({ port: 8080, readableObjectMode: true }),
    (n) => n.createConnection({ port: true }),
    (n) => n.createConnection({ port: null }),
    (n) => n.createConnection({ port: {} }),
    (n) => n.createConnection({ port: '' }),
    (n) => n.createConnection({ port: 65536 }),
    (n) => n.createConnection({ port: 42, hints: 1 + 0x400 }),
    (n) => n.createConnection({ path: {} }),
    (n) => n.createConnection({ port: 42, host: 7 }),
  ]
  t.same(codes(ringpollNet, calls), codes(net, calls))
})
