// Echo over the shm lane: server and client in one process, and a client in another process;
// sizes from 1 B to 4 MiB, many messages in a row, order kept, writer.malloc into shared memory.
import t from 'tap'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { connect, stats } from 'ringpoll'
import { payload } from './helpers/util.mjs'
import { lanesGone, roundTrip, shmEcho } from './helpers/shm.mjs'

const SIZES = [1, 100, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 64 * 1024, 1 << 20, 4 << 20]

t.test('one process: each size echoed intact over a lane', async (t) => {
  const { server, path, transports, closes } = await shmEcho()
  for (const size of SIZES) {
    const data = payload(size)
    const { transport, echoed } = await roundTrip(path, [data])
    t.equal(transport, 'shm', `${size} B: the client's transport is shm`)
    t.ok(echoed.equals(data), `${size} B echoed intact`)
  }
  t.same(transports, SIZES.map(() => 'shm'), "every accepted connection's transport is shm")
  await server.close()
  t.same(closes, SIZES.map(() => undefined), 'every server-side close was clean')
  await lanesGone(t)
})

t.test('one process: many messages in a row keep their order', async (t) => {
  const { server, path } = await shmEcho()
  const messages = []
  for (let i = 0; i < 2000; i++) messages.push(payload(1 + ((i * 7919) % 40000), i))
  const { transport, echoed } = await roundTrip(path, messages)
  t.equal(transport, 'shm')
  t.ok(echoed.equals(Buffer.concat(messages)), `${messages.length} messages echoed in order`)
  await server.close()
  await lanesGone(t)
})

t.test('writer.malloc hands out shared memory, small and large', async (t) => {
  const { server, path } = await shmEcho()
  const sizes = [10, 16 * 1024, 100 * 1024]
  const sent = sizes.map((n) => payload(n, n + 3))
  const total = sent.reduce((n, m) => n + m.length, 0)
  const before = stats().bytesWritten
  const echoed = await new Promise((resolve, reject) => {
    const parts = []
    let got = 0
    connect({ path, shm: true }, {
      onConnect(conn) {
        for (const m of sent) conn.writer.malloc(m.length).set(m)
      },
      onData(conn) {
        got += conn.reader.length
        parts.push(conn.reader.readBuffer(conn.reader.length))
        conn.reader.release()
        if (got >= total) conn.close()
      },
      onClose(conn, err) {
        if (err) reject(err)
        else resolve(Buffer.concat(parts))
      },
    }).catch(reject)
  })
  t.ok(echoed.equals(Buffer.concat(sent)), 'the bytes filled in after malloc() arrived')
  t.ok(stats().bytesWritten - before < total, 'they did not go over the socket')
  await server.close()
  await lanesGone(t)
})

t.test('two processes: a child client echoes through the lane', async (t) => {
  const { server, path, transports } = await shmEcho()
  const child = fileURLToPath(new URL('./helpers/shm-child.mjs', import.meta.url))
  const sizes = [...SIZES, ...Array.from({ length: 200 }, (_, i) => 1 + ((i * 104729) % 70000))]
  const out = await new Promise((resolve, reject) => {
    execFile(process.execPath, [child, path, sizes.join(',')], { env: process.env }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    )
  })
  const result = JSON.parse(out)
  const total = sizes.reduce((a, b) => a + b, 0)
  t.same(result, { transport: 'shm', bytes: total, same: true }, 'the child saw every byte echoed in order over shm')
  t.same(transports, ['shm'], 'the server side is shm too')
  await server.close()
  await lanesGone(t)
})
