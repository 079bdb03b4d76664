// conn.reset() and ringpoll/net's resetAndDestroy() close with RST: the peer sees ECONNRESET, as
// with node:net's resetAndDestroy(), on both backends; queued output is dropped without a report.
import t from 'tap'
import net from 'node:net'
import { createServer, connect } from 'ringpoll'
import * as ringpollNet from 'ringpoll/net'
import { until } from './helpers/util.mjs'

/** A node:net server that records what its one connection sees; resolves { port, seen }. */
async function peer(t) {
  const seen = []
  const server = net.createServer((s) => {
    s.on('error', (err) => seen.push(`error:${err.code}`))
    s.on('end', () => seen.push('end'))
    s.on('close', () => seen.push('close'))
    s.resume()
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  return { port: server.address().port, seen }
}

t.test('raw reset(): the peer gets ECONNRESET, onClose has no error', async (t) => {
  const { port, seen } = await peer(t)
  let closeErr = 'open'
  const conn = await connect({ port, host: '127.0.0.1' }, { onClose: (c, err) => (closeErr = err) })
  conn.write('some bytes')
  conn.write(Buffer.alloc(4 << 20)) // still queued: dropped, not reported
  conn.reset()
  await until(() => seen.includes('close'), 'the peer to close')
  t.same(seen, ['error:ECONNRESET', 'close'])
  await until(() => closeErr !== 'open', 'onClose')
  t.equal(closeErr, undefined)
  t.throws(() => conn.write('x'), { code: 'ERR_STREAM_DESTROYED' }, 'reset() is a local close')
})

t.test('raw reset() of an accepted connection', async (t) => {
  const s = createServer({ onData: (c) => c.reset() })
  const { port } = await s.listen({ port: 0, host: '127.0.0.1' })
  const socket = net.connect(port, '127.0.0.1', () => socket.write('x'))
  const err = await new Promise((resolve) => socket.on('error', resolve))
  t.equal(err.code, 'ECONNRESET')
  await s.close()
})

for (const [name, impl] of Object.entries({ 'node:net': net, 'ringpoll/net': ringpollNet })) {
  t.test(`${name} resetAndDestroy(): the peer gets ECONNRESET, the socket closes without error`, async (t) => {
    const { port, seen } = await peer(t)
    const socket = impl.connect(port, '127.0.0.1') // reset while connecting waits for the connect
    const events = []
    socket.on('error', (err) => events.push(`error:${err.code}`))
    socket.on('close', (hadError) => events.push(`close:${hadError}`))
    t.equal(socket.resetAndDestroy(), socket)
    await until(() => seen.includes('close') && events.length > 0, 'both sides to close')
    t.same(seen, ['error:ECONNRESET', 'close'])
    t.same(events, ['close:false'])
  })
}
