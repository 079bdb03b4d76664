// One reactor per JS thread: servers in worker threads serve on their own, share a port with
// reusePort, and a terminated worker leaves no socket open.
import t from 'tap'
import net from 'node:net'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { stats } from 'ringpoll'
import { netRoundTrip } from './helpers/util.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads')
const { createServer, stats } = require(${JSON.stringify(root)})
const server = createServer({
  onData(conn) {
    conn.write(workerData.tag + ':' + conn.reader.readString(conn.reader.length))
    conn.reader.release()
  },
})
server.listen({ port: workerData.port, host: '127.0.0.1', reusePort: true }).then((a) => parentPort.postMessage(a.port))
parentPort.on('message', () => parentPort.postMessage(stats()))
`

function startWorker(tag, port) {
  const worker = new Worker(workerCode, { eval: true, workerData: { tag, port } })
  return new Promise((resolve, reject) => {
    worker.once('message', (p) => resolve({ worker, port: p }))
    worker.once('error', reject)
  })
}

t.test('each worker thread has its own reactor; they share a port', async (t) => {
  const a = await startWorker('a', 0)
  const b = await startWorker('b', a.port)
  t.equal(b.port, a.port)
  const replies = []
  for (let i = 0; i < 40 && new Set(replies).size < 2; i++) {
    replies.push((await netRoundTrip({ port: a.port, host: '127.0.0.1' }, Buffer.from('x'), 3)).toString())
  }
  t.ok(replies.every((r) => r === 'a:x' || r === 'b:x'), `answered by ${[...new Set(replies)].join(', ')}`)
  t.equal(stats().listeners, 0, "the main thread's reactor has no listener")
  await Promise.all([a.worker.terminate(), b.worker.terminate()])
})

t.test('terminating a worker closes its listener and connections', async (t) => {
  const { worker, port } = await startWorker('w', 0)
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => {})
  const closed = new Promise((resolve) => socket.on('close', resolve))
  const reply = await new Promise((resolve) => {
    socket.once('data', (d) => resolve(d.toString()))
    socket.write('hi')
  })
  t.equal(reply, 'w:hi')
  worker.postMessage('stats')
  const workerStats = await new Promise((resolve) => worker.once('message', resolve))
  t.equal(workerStats.connections, 1)
  await worker.terminate()
  await closed
  t.pass('the peer saw the close')
  await t.rejects(
    new Promise((resolve, reject) => net.connect(port, '127.0.0.1', resolve).on('error', reject)),
    { code: 'ECONNREFUSED' },
    'the listener is gone',
  )
})
