// A shm peer killed with SIGKILL in the middle of a stream: a ringpoll client process while it
// sends and while it holds the server's chunks, the peer program while it holds them, and a
// ringpoll server process under a ringpoll client. The side that lives sees the close, unmaps the
// region, keeps no fd, and goes on serving.
import t from 'tap'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { connect, createServer, stats } from 'ringpoll'
import { fdCount, socketPath, until } from './helpers/util.mjs'
import { lanesGone, shmEcho } from './helpers/shm.mjs'
import { buildPeer, fdsBack, honestEcho, peerBinary } from './helpers/shm-peer.mjs'

stats() // the reactor (and its fds) exists before any baseline
const child = fileURLToPath(new URL('./helpers/shm-kill-child.mjs', import.meta.url))
const built = buildPeer()
t.equal(built, null, `the peer program builds ${built ?? ''}`)

// Spawns `command args` and resolves with the process once it prints a line matching `ready`.
function startChild(command, args, ready) {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    const lines = createInterface({ input: proc.stdout })
    lines.on('line', (line) => {
      if (ready.test(line)) resolve({ proc, line })
    })
    proc.on('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before it was ready`)))
  })
}

const killed = (proc) =>
  new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve(signal))
    proc.kill('SIGKILL')
  })

// A server that counts what it reads and releases it; or, with `hold`, streams to each client.
async function server(path, stream) {
  let received = 0
  const closes = []
  const block = Buffer.alloc(64 << 10, 's')
  const pump = (c) => {
    while (c.write(block));
  }
  const s = createServer({
    onConnect: stream ? pump : undefined,
    onDrain: stream ? pump : undefined,
    onData(c) {
      received += c.reader.length
      c.reader.skip(c.reader.length)
      c.reader.release()
    },
    onClose: (c, err) => closes.push(err ?? null),
  })
  await s.listen({ path, shm: true })
  return { s, closes, received: () => received }
}

t.test('a ringpoll client killed while it sends', async (t) => {
  const path = socketPath()
  const fdsBefore = fdCount()
  const { s, closes, received } = await server(path, false)
  const { proc, line } = await startChild(process.execPath, [child, 'send', path], /^connected/)
  t.equal(line, 'connected shm', 'the child has a lane')
  await until(() => received() >= 1 << 20, 'the stream to be flowing')
  t.equal(await killed(proc), 'SIGKILL')
  await until(() => closes.length === 1, 'the server to see the close')
  t.pass(`the server saw the close (${closes[0]?.code ?? 'no error'})`)
  await lanesGone(t, 'the killed sender left nothing')
  await s.close()
  await lanesGone(t, 'everything: no lane, handshake or mapping left')
  await fdsBack(t, fdsBefore, 'everything')
})

t.test('a ringpoll client killed while it holds the server chunks', async (t) => {
  const path = socketPath()
  const fdsBefore = fdCount()
  const { s, closes } = await server(path, true)
  const { proc } = await startChild(process.execPath, [child, 'hold', path], /^holding/)
  t.equal(await killed(proc), 'SIGKILL')
  await until(() => closes.length === 1, 'the server to see the close')
  t.ok(closes[0] === null || typeof closes[0].code === 'string', `the close has a code or none (${closes[0]?.code})`)
  await lanesGone(t, 'the killed holder left nothing')
  await s.close()
  await lanesGone(t, 'everything: no lane, handshake or mapping left')
  await fdsBack(t, fdsBefore, 'everything')
})

t.test('the peer program killed while it holds the server chunks', async (t) => {
  const { server: s, path, closes } = await shmEcho()
  const fdsBefore = fdCount()
  // never-release with more than the lane holds: the peer is mid-stream, holding every chunk.
  const { proc } = await startChild(peerBinary, ['never-release', path, String(256 << 20)], /^holding/)
  t.equal(await killed(proc), 'SIGKILL')
  await until(() => closes.length === 1, 'the server to see the close')
  await lanesGone(t, 'the killed peer program: no lane, handshake or mapping left')
  await fdsBack(t, fdsBefore, 'the killed peer program')
  await honestEcho(t, path)
  await s.close()
  await lanesGone(t)
})

t.test('a ringpoll server process killed under a ringpoll client', async (t) => {
  const path = socketPath()
  const fdsBefore = fdCount()
  const { proc } = await startChild(process.execPath, [child, 'serve', path], /^listening/)
  let got = 0
  let closed
  const conn = await connect(
    { path, shm: true },
    {
      onData(c) {
        got += c.reader.length
        c.reader.skip(c.reader.length)
        c.reader.release()
      },
      onClose: (c, err) => (closed = err ?? null),
    },
  )
  t.equal(conn.transport, 'shm', 'the client has a lane')
  await until(() => got >= 1 << 20, 'the stream to be flowing')
  t.equal(await killed(proc), 'SIGKILL')
  await until(() => closed !== undefined, 'the client to see the close')
  t.pass(`the client saw the close (${closed?.code ?? 'no error'})`)
  await lanesGone(t, 'the client: no lane, handshake or mapping left')
  await fdsBack(t, fdsBefore, 'the client')
})
