// Ticks after each read: a nextTick (or a promise job) started by one socket's 'data' listener runs
// before any other socket's 'data', as under node:net, where every read is its own libuv callback.
// The reactor reads many sockets per wake-up; the server's loop is held while the clients write,
// so that their input is likely to arrive in one batch (the order checked holds either way).
import t from 'tap'
import net from 'node:net'
import { impls, listen, once } from './helpers/net-compare.mjs'

const CLIENTS = 8

async function scenario(impl) {
  const log = []
  let seen = 0
  let done
  const finished = new Promise((resolve) => (done = resolve))
  const server = impl.createServer((socket) => {
    socket.on('data', (d) => {
      const name = String(d)
      log.push(`data ${name}`)
      process.nextTick(() => log.push(`tick ${name}`))
      Promise.resolve().then(() => log.push(`job ${name}`))
      if (++seen === CLIENTS) setImmediate(done)
    })
  })
  const port = await listen(server)
  const clients = []
  for (let i = 0; i < CLIENTS; i++) {
    const c = net.connect(port, '127.0.0.1')
    await once(c, 'connect')
    clients.push(c)
  }
  // Give the server its connections, then hold its loop while every client writes.
  await new Promise((resolve) => setTimeout(resolve, 20))
  clients.forEach((c, i) => c.write(`c${i}`))
  const until = Date.now() + 30
  while (Date.now() < until); // the server shares this thread: its reads wait for the loop
  await finished
  for (const c of clients) c.destroy()
  await new Promise((resolve) => server.close(resolve))
  return log
}

t.test("a tick and a promise job from a 'data' listener run before the next socket's 'data'", async (t) => {
  for (const [name, impl] of Object.entries(impls)) {
    const log = await scenario(impl)
    const expected = log.filter((e) => e.startsWith('data ')).flatMap((e) => {
      const client = e.slice(5)
      return [`data ${client}`, `tick ${client}`, `job ${client}`]
    })
    t.same(log, expected, `${name}: each read's ticks and jobs before the next read`)
  }
})
