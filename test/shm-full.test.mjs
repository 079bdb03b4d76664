// The lane full: a reader that pauses, or holds everything unreleased, while the writer writes
// more than the lane's area (8 MiB) holds. The writer waits, or spills to the socket what a reader
// that keeps everything cannot take back; nothing is lost, the order is kept, write() says false
// and onDrain follows.
import t from 'tap'
import { connect, createServer, stats } from 'ringpoll'
import { payload, socketPath, until } from './helpers/util.mjs'
import { lanesGone } from './helpers/shm.mjs'

const TOTAL = 24 << 20
const PIECE = 64 * 1024

/** A client that writes `data` in PIECEs, waiting for onDrain whenever write() says false;
 * `seen` counts as it goes, `done` resolves with the connection once all is written. */
function writeAll(path, data) {
  const seen = { falses: 0, drains: 0 }
  return { seen, done: write(path, data, seen) }
}

async function write(path, data, seen) {
  let drained
  const conn = await connect({ path, shm: true }, {
    onDrain() {
      seen.drains++
      drained?.()
    },
  })
  seen.transport = conn.transport
  for (let at = 0; at < data.length; at += PIECE) {
    if (!conn.write(data.subarray(at, at + PIECE))) {
      seen.falses++
      await new Promise((resolve) => (drained = resolve))
    }
  }
  return conn
}

t.test('a paused reader: the writer is held back, then everything arrives in order', async (t) => {
  const data = payload(TOTAL)
  const parts = []
  let got = 0
  let server_conn
  const server = createServer({
    onConnect(conn) {
      server_conn = conn
      conn.pause()
    },
    onData(conn) {
      got += conn.reader.length
      parts.push(conn.reader.readBuffer(conn.reader.length))
      conn.reader.release()
    },
  })
  const path = socketPath()
  await server.listen({ path, shm: true })
  const { seen, done } = writeAll(path, data)
  // The writer fills the area, then its own queue past the high-water mark, where write() says
  // false. (Whether anything spills depends on what the server took before its pause: a reader
  // with descriptors still to take is waited for, one that took everything gets the rest spilled.)
  await until(() => server_conn !== undefined && seen.falses > 0, 'the writer to be held back', 20000)
  server_conn.resume()
  const conn = await done
  await until(() => got === TOTAL, 'every byte to arrive', 30000)
  t.equal(seen.transport, 'shm')
  t.ok(seen.falses > 0 && seen.drains === seen.falses, `write() said false ${seen.falses} times, each followed by onDrain`)
  t.ok(Buffer.concat(parts).equals(data), `${TOTAL >> 20} MiB arrived intact and in order`)
  conn.close()
  await server.close()
  await lanesGone(t)
})

t.test('a reader that holds everything unreleased: the rest goes over the socket', async (t) => {
  const data = payload(TOTAL, 5)
  let holder
  const server = createServer({
    maxInput: 64 << 20,
    onData(conn) {
      holder = conn // keeps every byte: no lane chunk goes back to the writer
    },
  })
  const path = socketPath()
  await server.listen({ path, shm: true })
  const before = stats().bytesWritten
  const conn = await writeAll(path, data).done
  await until(() => holder !== undefined && holder.reader.length === TOTAL, 'every byte held by the reader', 30000)
  t.ok(stats().bytesWritten - before >= TOTAL - (8 << 20) - (1 << 20), 'what the area could not hold went over the socket')
  t.ok(holder.reader.readBuffer(TOTAL).equals(data), 'intact and in order')
  holder.reader.release()
  conn.close()
  await server.close()
  await lanesGone(t)
})
