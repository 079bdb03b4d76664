// Ends and closes on a lane: end() after data, half-close with allowHalfOpen, the peer's close,
// idle timeouts (lane traffic counts as activity), and stats() back to no lane and no mapping.
import t from 'tap'
import { connect, createServer } from 'ringpoll'
import { payload, socketPath, until } from './helpers/util.mjs'
import { lanesGone } from './helpers/shm.mjs'

async function listen(handlers) {
  const server = createServer(handlers)
  const path = socketPath()
  await server.listen({ path, shm: true })
  return { server, path }
}

t.test('end() after data: every byte, then onEnd, then a clean close', async (t) => {
  const data = payload(3 << 20)
  const events = []
  let got = 0
  const parts = []
  const closed = new Promise((resolve) => {
    const server = listen({
      onData(conn) {
        got += conn.reader.length
        parts.push(conn.reader.readBuffer(conn.reader.length))
        conn.reader.release()
      },
      onEnd() {
        events.push(`end after ${got}`)
      },
      onClose(conn, err) {
        events.push(err ? err.code : 'closed')
        resolve()
      },
    })
    server.then(async ({ path, server }) => {
      t.teardown(() => server.close())
      const conn = await connect({ path, shm: true }, {})
      t.equal(conn.transport, 'shm')
      conn.write(data)
      conn.end()
    })
  })
  await closed
  t.same(events, [`end after ${data.length}`, 'closed'], 'onEnd after the last byte, then the close')
  t.ok(Buffer.concat(parts).equals(data), 'intact')
})

t.test('half-close with allowHalfOpen: the answer goes after the peer\'s FIN', async (t) => {
  const { server, path } = await listen({
    allowHalfOpen: true,
    onData(conn) {
      conn.reader.release()
    },
    onEnd(conn) {
      conn.write(payload(200000, 9))
      conn.end()
    },
  })
  const reply = await new Promise((resolve, reject) => {
    const parts = []
    connect({ path, shm: true }, {
      allowHalfOpen: true,
      onData(conn) {
        parts.push(conn.reader.readBuffer(conn.reader.length))
        conn.reader.release()
      },
      onEnd(conn) {
        conn.close()
      },
      onClose(conn, err) {
        if (err) reject(err)
        else resolve(Buffer.concat(parts))
      },
    }).then((conn) => {
      conn.write('question')
      conn.end()
    }, reject)
  })
  t.ok(reply.equals(payload(200000, 9)), 'the reply arrived whole after our FIN')
  await server.close()
})

t.test("the peer's close: onEnd and a clean close on the other side", async (t) => {
  const { server, path } = await listen({
    onConnect(conn) {
      conn.write(payload(100000, 2))
      conn.end()
    },
  })
  const seen = []
  await new Promise((resolve) => {
    let got = 0
    connect({ path, shm: true }, {
      onData(conn) {
        got += conn.reader.length
        conn.reader.release()
      },
      onEnd() {
        seen.push(`end after ${got}`)
      },
      onClose(conn, err) {
        seen.push(err ? err.code : 'closed')
        resolve()
      },
    })
  })
  t.same(seen, ['end after 100000', 'closed'])
  await server.close()
})

t.test('idle timeout: an idle lane times out, a busy one does not', async (t) => {
  const closes = []
  const { server, path } = await listen({
    idleTimeout: 1000,
    onData(conn) {
      conn.reader.release()
    },
    onClose(conn, err) {
      closes.push(err?.code)
    },
  })
  const idle = await connect({ path, shm: true }, {})
  const busy = await connect({ path, shm: true }, {})
  // Written through the lane (its socket carries no frame while the reader is awake).
  const timer = setInterval(() => busy.write(payload(100)), 50)
  await until(() => closes.length === 1, 'the idle connection to time out', 10000)
  t.same(closes, ['ETIMEDOUT'], 'one timed out')
  t.equal(idle.transport, 'shm')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  clearInterval(timer)
  t.same(closes, ['ETIMEDOUT'], 'the connection that kept writing is still open')
  busy.close()
  await server.close()
})

t.test('close() right after write(): the bytes published before the close arrive', async (t) => {
  const data = payload(1 << 20, 4)
  const { server, path } = await listen({
    onConnect(conn) {
      conn.write(data)
      conn.close()
    },
  })
  const got = await new Promise((resolve) => {
    const parts = []
    connect({ path, shm: true }, {
      onData(conn) {
        parts.push(conn.reader.readBuffer(conn.reader.length))
        conn.reader.release()
      },
      onClose() {
        resolve(Buffer.concat(parts))
      },
    })
  })
  t.ok(got.equals(data), 'all of it, though the writer closed at once')
  await server.close()
})

t.test('after every close and a collection, no lane or mapping is left', async (t) => {
  await lanesGone(t)
})
