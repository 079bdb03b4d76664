// Out of file descriptors (EMFILE on accept): a server under a low RLIMIT_NOFILE keeps serving the
// connections it has, closes the ones it cannot accept instead of leaving them hanging, and
// accepts again once descriptors are free.
import t from 'tap'
import net from 'node:net'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { until } from './helpers/util.mjs'

const CHILD = fileURLToPath(new URL('./helpers/emfile-server.mjs', import.meta.url))
const LIMIT = 64

/** Resolves 'echo' when `ping` comes back, 'closed' when the server closes first, 'hung' when
 * neither happens within a bound (a connection left waiting in the backlog). */
function ping(socket) {
  return new Promise((resolve) => {
    let got = ''
    const timer = setTimeout(() => done('hung'), 5000)
    const done = (how) => {
      clearTimeout(timer)
      socket.removeAllListeners('data')
      resolve(how)
    }
    socket.on('data', (d) => {
      got += d
      if (got === 'ping') done('echo')
    })
    socket.once('close', () => done('closed'))
    socket.write('ping')
  })
}

async function open(port) {
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => {}) // a shed connection may be reset
  await new Promise((resolve) => socket.once('connect', resolve).once('close', resolve))
  return socket
}

t.test(`EMFILE on accept under ulimit -n ${LIMIT}`, async (t) => {
  const child = spawn('sh', ['-c', `ulimit -n ${LIMIT} && exec "${process.execPath}" "${CHILD}"`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  t.teardown(() => child.stdin.end())
  let port = 0
  let closed = 0
  child.stdout.setEncoding('utf8').on('data', (text) => {
    for (const line of text.trim().split('\n')) {
      if (line.startsWith('port ')) port = Number(line.slice(5))
      else if (line === 'closed') closed++
    }
  })
  await until(() => port > 0, 'the child server', 10000)

  // Open connections until one is shed; every earlier one is served.
  const served = []
  let outcome
  for (let i = 0; i < 4 * LIMIT && (outcome === undefined || outcome === 'echo'); i++) {
    const socket = await open(port)
    outcome = await ping(socket)
    if (outcome === 'echo') served.push(socket)
  }
  t.equal(outcome, 'closed', 'a connection past the limit is closed, not left hanging')
  t.ok(served.length > LIMIT / 4, `${served.length} connections were served before the limit`)
  const shedBefore = closed

  const still = await Promise.all(served.map(ping))
  t.ok(still.every((r) => r === 'echo'), 'the connections it has are still served')
  const more = await Promise.all([1, 2, 3, 4, 5].map(async () => ping(await open(port))))
  t.same(more, ['closed', 'closed', 'closed', 'closed', 'closed'], 'new ones are shed while out of fds')
  t.equal(closed, shedBefore, 'a shed connection never reached onClose: it was never accepted')

  for (const socket of served.splice(0, 5)) socket.destroy()
  await until(() => closed === shedBefore + 5, 'the server to close five connections')
  const again = await open(port)
  t.equal(await ping(again), 'echo', 'accepting again once descriptors are free')
  served.push(again)
  t.same(await Promise.all(served.map(ping)), served.map(() => 'echo'), 'every open connection still served')
  for (const socket of served) socket.destroy()
  await until(() => closed === shedBefore + 5 + served.length, 'every close')
})
