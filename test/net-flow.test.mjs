// The Duplex follows its highWaterMark both ways over ringpoll's own flow control, and corked
// writes leave in one vectored write.
import t from 'tap'
import net from 'node:net'
import { createHash } from 'node:crypto'
import { createServer } from 'ringpoll/net'
import { stats } from 'ringpoll'
import { once, listen } from './helpers/net-compare.mjs'
import { payload, sleep, until } from './helpers/util.mjs'

const sha = (b) => createHash('sha256').update(b).digest('hex')
const HWM = 64 * 1024
// What the reactor may take in past a stop: epoll reads at most one budget per wake-up; io_uring's
// multishot receive can fill its whole buffer ring (up to 256 chunks) before the cancel lands.
const SLACK = { epoll: 256 * 1024, io_uring: 256 * 16 * 1024 }

t.test('reading: a socket nobody reads stops reading at its highWaterMark, and loses nothing', async (t) => {
  let socket
  const server = createServer({ highWaterMark: HWM }, (s) => (socket = s))
  const port = await listen(server)
  const data = payload(8 << 20)
  const peer = net.connect(port, '127.0.0.1', () => peer.end(data))
  await until(() => socket !== undefined && socket.readableLength >= HWM, 'the stream buffer to fill')
  await sleep(50) // time for more input to arrive, if reading did not stop
  const slack = SLACK[stats().backend]
  t.ok(socket.readableLength < HWM + slack, `readableLength ${socket.readableLength} stays within ${slack} of the highWaterMark`)
  // What is left in use is the input taken in past the stop (the slack above), nothing more.
  const bound = 64 + slack / (16 * 1024)
  t.ok(stats().chunksInUse < bound, `input memory is released as it is copied into the stream (${stats().chunksInUse} chunks)`)
  const parts = []
  socket.on('data', (d) => parts.push(d))
  await once(socket, 'end')
  t.equal(sha(Buffer.concat(parts)), sha(data), 'every byte arrives, in order')
  t.equal(socket.bytesRead, data.length)
  await new Promise((resolve) => server.close(resolve))
})

t.test('writing: write() returns false once the output is past the highWaterMark, and drain follows the peer reading', async (t) => {
  let socket
  const server = createServer({ highWaterMark: HWM }, (s) => {
    socket = s
    s.resume() // reads (nothing comes), so that the peer's FIN ends it
  })
  const port = await listen(server)
  const peer = net.connect(port, '127.0.0.1')
  peer.pause()
  await until(() => socket !== undefined, 'accept')
  const block = payload(32 * 1024)
  let writes = 0
  while (socket.write(block)) writes++
  // As net's: the output goes to the kernel as it passes the mark, so the first false comes once
  // more than a highWaterMark has been written (on epoll, once the kernel's buffers are full).
  t.ok((writes + 1) * block.length > HWM, `write() returned false after ${writes + 1} writes of 32 KiB with a 64 KiB highWaterMark`)
  // With the peer not reading, the kernel's buffers fill; then 'drain' stops coming.
  let full = false
  for (let i = 0; i < 2048 && !full; i++) {
    if (socket.write(block)) continue
    full = (await Promise.race([once(socket, 'drain').then(() => false), sleep(100).then(() => true)])) === true
  }
  t.ok(full, 'the kernel stopped taking output')
  const held = socket.bytesWritten
  await sleep(50)
  t.equal(socket.bytesWritten, held, 'nothing more is handed to the connection while the peer does not read')
  t.ok(socket.writableLength > 0, 'the stream holds the rest')
  let got = 0
  peer.on('data', (d) => (got += d.length))
  peer.resume()
  await once(socket, 'drain')
  socket.end()
  await once(peer, 'end')
  t.equal(got, socket.bytesWritten, 'everything written arrives')
  await new Promise((resolve) => server.close(resolve))
})

t.test('corked writes go out in one vectored write, in order, whatever their encodings', async (t) => {
  let socket
  const server = createServer((s) => {
    socket = s
    s.resume()
  })
  const port = await listen(server)
  const peer = net.connect(port, '127.0.0.1')
  await until(() => socket !== undefined, 'accept')
  let vectored = 0
  const writev = socket._writev
  socket._writev = function (chunks, cb) {
    vectored += chunks.length
    return writev.call(this, chunks, cb)
  }
  const before = stats().writeCalls
  socket.cork()
  socket.write('plain, ')
  socket.write(Buffer.from('a buffer, '))
  socket.write('6c6174696e31', 'hex')
  socket.write(', ')
  socket.write('w6lpdGjDqQ==', 'base64')
  process.nextTick(() => socket.uncork())
  let text = ''
  peer.on('data', (d) => (text += d))
  const expected = 'plain, a buffer, latin1, éithé'
  await until(() => text.length >= expected.length, 'the bytes')
  t.equal(text, expected)
  t.equal(vectored, 5, 'the five writes reached _writev together')
  t.equal(stats().writeCalls - before, 1, 'one write system call')
  peer.destroy()
  await new Promise((resolve) => server.close(resolve))
})

t.test('a paused socket whose connection closes cleanly keeps what it had not read', async (t) => {
  let socket
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (s) => {
    socket = s
    s.end() // our FIN; the peer's follows: the connection closes while the socket is paused
  })
  const port = await listen(server)
  const peer = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
  peer.on('end', () => peer.end('unread until resume'))
  peer.resume()
  await once(peer, 'close')
  await sleep(20)
  t.equal(socket.destroyed, false, 'still there to be read')
  let text = ''
  socket.on('data', (d) => (text += d))
  socket.resume()
  await once(socket, 'close')
  t.equal(text, 'unread until resume')
  await new Promise((resolve) => server.close(resolve))
})
