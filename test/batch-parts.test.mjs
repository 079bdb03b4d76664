// A wake-up's batch goes to JS in parts of PART_RECORDS records, and each part's output is
// sent before the next part is handed over: with a slow app and many connections, the first
// connections' answers do not wait for the last connections' handlers. Checked by order: what the
// reactor had sent (stats().bytesWritten) when each handler ran.
// The clients share the server's thread: its loop is held while they all write, so that their
// requests arrive in one wake-up (were they spread over several, the order checked holds anyway).
import t from 'tap'
import net from 'node:net'
import { createServer, stats } from 'ringpoll'
import { reactor } from '../dist/reactor.js'
import { until } from './helpers/util.mjs'

const { PART_RECORDS } = reactor().k
const CLIENTS = 3 * PART_RECORDS
const ANSWER = 'ok\n'

async function scenario(t, backend) {
  const sentAtHandler = []
  const server = createServer({
    backend,
    onData(conn) {
      sentAtHandler.push(stats().bytesWritten)
      conn.reader.release()
      conn.write(ANSWER)
    },
  })
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' })
  const clients = []
  let answered = 0
  for (let i = 0; i < CLIENTS; i++) {
    const c = net.connect(port, '127.0.0.1')
    c.on('data', (d) => (answered += d.length))
    clients.push(c)
  }
  await until(() => stats().connections === CLIENTS, 'every connection accepted')
  const before = stats().bytesWritten
  for (const c of clients) c.write('?')
  const until30 = Date.now() + 30
  while (Date.now() < until30); // the server's reads wait for this thread's loop
  await until(() => answered === CLIENTS * ANSWER.length, 'every answer')

  t.equal(sentAtHandler.length, CLIENTS, 'one handler call per connection')
  t.equal(sentAtHandler[0], before, 'the first handler runs before any answer is sent')
  t.ok(sentAtHandler[CLIENTS - 1] >= before + PART_RECORDS * ANSWER.length,
    "the first part's answers were sent before the last connection's handler ran")
  for (const c of clients) c.destroy()
  await server.close()
  await until(() => stats().connections === 0, 'every connection closed')
}

for (const backend of ['epoll', 'io_uring']) {
  t.test(`${backend}: a batch of ${CLIENTS} reads is handed over in parts, each part's output sent before the next`, (t) =>
    scenario(t, backend))
}
