// Echo round trips at 1 B, 1 KB, 64 KB and 8 MB over TCP (IPv4, IPv6) and a Unix socket, with
// ringpoll on both sides and mixed with node:net on either side.
import t from 'tap'
import { connect, stats } from 'ringpoll'
import { allChunksBack, netEcho, netRoundTrip, payload, ringpollEcho, socketPath } from './helpers/util.mjs'

const SIZES = [1, 1024, 64 * 1024, 8 * 1024 * 1024]
const TRANSPORTS = {
  ipv4: () => ({ listen: { port: 0, host: '127.0.0.1' }, target: (a) => ({ port: a.port, host: '127.0.0.1' }) }),
  ipv6: () => ({ listen: { port: 0, host: '::1' }, target: (a) => ({ port: a.port, host: '::1' }) }),
  unix: () => {
    const path = socketPath()
    return { listen: { path }, target: () => ({ path }) }
  },
}

/** A ringpoll client that sends `data` and collects `expect` bytes. */
function ringpollRoundTrip(target, data) {
  return new Promise((resolve, reject) => {
    const parts = []
    let got = 0
    connect(target, {
      onData(conn) {
        const { reader } = conn
        got += reader.length
        parts.push(reader.readBuffer(reader.length))
        reader.release()
        if (got >= data.length) conn.close()
      },
      onClose(conn, err) {
        if (err) reject(err)
        else resolve(Buffer.concat(parts))
      },
    }).then((conn) => conn.write(data), reject)
  })
}

for (const [name, make] of Object.entries(TRANSPORTS)) {
  t.test(`ringpoll server, node:net client, ${name}`, async (t) => {
    const { listen, target } = make()
    const { server, address } = await ringpollEcho(listen)
    for (const size of SIZES) {
      const data = payload(size)
      const echoed = await netRoundTrip(target(address), data)
      t.ok(echoed.equals(data), `${size} bytes echoed intact`)
    }
    await server.close()
  })

  t.test(`ringpoll server, ringpoll client, ${name}`, async (t) => {
    const { listen, target } = make()
    const { server, address, closes } = await ringpollEcho(listen)
    for (const size of SIZES) {
      const data = payload(size, size + 1)
      const echoed = await ringpollRoundTrip(target(address), data)
      t.ok(echoed.equals(data), `${size} bytes echoed intact`)
    }
    await server.close()
    t.same(closes, SIZES.map(() => undefined), 'every server-side close was clean')
  })

  t.test(`node:net server, ringpoll client, ${name}`, async (t) => {
    const { listen, target } = make()
    const server = await netEcho(listen)
    const address = listen.path ? {} : server.address()
    for (const size of SIZES) {
      const data = payload(size, size + 2)
      const echoed = await ringpollRoundTrip(target(address), data)
      t.ok(echoed.equals(data), `${size} bytes echoed intact`)
    }
    await new Promise((resolve) => server.close(resolve))
  })
}

t.test('an echo handler that copies with readBuffer', async (t) => {
  const { server, address } = await ringpollEcho({ port: 0, host: '127.0.0.1' }, {
    onData(conn) {
      conn.write(conn.reader.readBuffer(conn.reader.length))
      conn.reader.release()
    },
  })
  const data = payload(300 * 1024)
  t.ok((await netRoundTrip({ port: address.port, host: '127.0.0.1' }, data)).equals(data))
  await server.close()
})

t.test('every chunk is back once all connections are closed', async (t) => {
  t.equal(stats().connections, 0)
  await allChunksBack(t)
})
