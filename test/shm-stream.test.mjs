// A stream through the lane between two ringpoll ends that read and release as they go: more than
// the lane's chunk area (512 x 16 KiB a direction), both ways, keeps flowing (the writer spills to
// the socket or waits for returns; the returns come back while it writes). The precondition of
// the kill tests in shm-killed-peer.test.mjs, where a peer dies in the middle of such a stream.
import t from 'tap'
import { connect, createServer } from 'ringpoll'
import { socketPath, until } from './helpers/util.mjs'
import { lanesGone } from './helpers/shm.mjs'

const TOTAL = 64 << 20
const block = Buffer.alloc(64 << 10, 's')

// Writes blocks until `total` bytes are out, as fast as write() and onDrain allow.
function streamer(total) {
  let written = 0
  const pump = (c) => {
    while (written < total) {
      written += block.length
      if (!c.write(block)) return
    }
  }
  return pump
}

for (const direction of ['server to client', 'client to server']) {
  t.test(`${TOTAL >> 20} MiB ${direction}`, async (t) => {
    const path = socketPath()
    let got = 0
    const count = (c) => {
      got += c.reader.length
      c.reader.skip(c.reader.length)
      c.reader.release()
    }
    const pump = streamer(TOTAL)
    const server = createServer(direction === 'server to client' ? { onConnect: pump, onDrain: pump } : { onData: count })
    await server.listen({ path, shm: true })
    const conn = await connect({ path, shm: true }, direction === 'server to client' ? { onData: count } : { onDrain: pump })
    t.equal(conn.transport, 'shm')
    if (direction === 'client to server') pump(conn)
    await until(() => got >= TOTAL, 'the stream to arrive', 20000).catch(() => {})
    t.equal(got, TOTAL, `every byte arrived (${got} of ${TOTAL})`)
    conn.close()
    await server.close()
    await lanesGone(t)
  })
}
