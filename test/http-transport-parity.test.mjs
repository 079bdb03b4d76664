// The same node:http server and the same client bytes, on node:net and on ringpoll (serve()): what
// the client receives must be the same. These cover the socket's input path (a chunk goes straight
// to the 'data' listeners when the stream flows and buffers nothing, else through push()) and the
// ticks run after each read: pipelining, tiny pieces, a body reader that pauses, upgrade and
// CONNECT taking the socket over, the keep-alive timeout, and a 'data' listener added by the app.
import t from 'tap'
import http from 'node:http'
import net from 'node:net'
import { createHash } from 'node:crypto'
import { serve } from 'ringpoll/http'
import { once } from './helpers/net-compare.mjs'
import { payload } from './helpers/util.mjs'

const sha = (b) => createHash('sha256').update(b).digest('hex')

/** Listens with `app` on node:net or on ringpoll; resolves the port, closed at teardown. */
async function listenOn(t, transport, app) {
  const listener = transport === 'ringpoll' ? serve(app, { port: 0, host: '127.0.0.1' }) : app.listen(0, '127.0.0.1')
  await once(app, 'listening')
  t.teardown(() => {
    app.closeAllConnections()
    return new Promise((resolve) => listener.close(() => resolve()))
  })
  return listener.address().port
}

/**
 * Plays `steps` in turn: a string or Buffer is written (the next step starts once it is written), a RegExp
 * waits until what came back matches it. Resolves all that came back once the server closes.
 */
async function exchange(port, steps) {
  const socket = net.connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  await once(socket, 'connect')
  let text = ''
  let arrived = () => {}
  socket.setEncoding('latin1')
  socket.on('data', (d) => {
    text += d
    arrived()
  })
  const closed = once(socket, 'close')
  for (const step of steps) {
    if (!(step instanceof RegExp)) await new Promise((resolve) => socket.write(step, () => setImmediate(resolve)))
    else while (!step.test(text)) await new Promise((resolve) => (arrived = resolve))
  }
  await closed
  return text.replace(/\r\nDate: [^\r]*/g, '')
}

/** Runs `scenario(transport)` on both transports and compares what it returns. */
async function sameOnBoth(t, scenario) {
  const net_ = await scenario('net')
  const ringpoll = await scenario('ringpoll')
  t.same(ringpoll, net_, 'ringpoll answers what node:net answers')
  return net_
}

const get = (path, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`

t.test('pipelined requests in one write: answered in order, the last one closing', async (t) => {
  const text = await sameOnBoth(t, async (transport) => {
    const app = http.createServer((req, res) => {
      // The first answer waits: the order must come from node:http's queue, not from timing.
      if (req.url === '/1') setTimeout(() => res.end('one'), 20)
      else process.nextTick(() => res.end(`body of ${req.url}`))
    })
    const port = await listenOn(t, transport, app)
    return exchange(port, [['/1', '/2', '/3', '/4'].map((p) => get(p)).join('') + get('/5', 'Connection: close\r\n')])
  })
  t.same(text.match(/one|body of \/\d/g), ['one', 'body of /2', 'body of /3', 'body of /4', 'body of /5'])
})

t.test('a request sent a byte at a time, its body too', async (t) => {
  const body = 'name=value&other=thing'
  const request = `POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`
  const text = await sameOnBoth(t, async (transport) => {
    const app = http.createServer((req, res) => {
      let got = ''
      req.setEncoding('latin1')
      req.on('data', (d) => (got += d))
      req.on('end', () => res.end(`${req.method} ${req.url} ${got}`))
    })
    const port = await listenOn(t, transport, app)
    return exchange(port, [...request])
  })
  t.match(text, `POST /form ${body}`)
})

t.test('a body reader that pauses and resumes gets every byte, in order', async (t) => {
  const body = payload(3 * 1024 * 1024)
  const head = `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`
  const text = await sameOnBoth(t, async (transport) => {
    const app = http.createServer((req, res) => {
      const parts = []
      req.on('data', (d) => {
        parts.push(d)
        req.pause()
        setTimeout(() => req.resume(), 1)
      })
      req.on('end', () => res.end(`${Buffer.concat(parts).length} ${sha(Buffer.concat(parts))}`))
    })
    const port = await listenOn(t, transport, app)
    return exchange(port, [head, body])
  })
  t.match(text, `${body.length} ${sha(body)}`)
})

t.test("upgrade: the socket is handed over with the bytes after the head, and reads on as the app's", async (t) => {
  const text = await sameOnBoth(t, async (transport) => {
    const app = http.createServer((req, res) => res.end('not upgraded'))
    app.on('upgrade', (req, socket, head) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhead=${head}|`)
      socket.on('data', (d) => {
        socket.write(String(d).toUpperCase())
        if (String(d).includes('bye')) socket.end()
      })
    })
    const port = await listenOn(t, transport, app)
    return exchange(port, [`${get('/ws', 'Upgrade: echo\r\nConnection: Upgrade\r\n')}early`, /head=early\|/, 'later ', /LATER /, 'bye'])
  })
  t.match(text, /101 Switching Protocols[\s\S]*head=early\|LATER BYE/)
})

t.test('CONNECT: the tunnel gets the socket and the bytes after the head', async (t) => {
  const text = await sameOnBoth(t, async (transport) => {
    const app = http.createServer((req, res) => res.end('no'))
    app.on('connect', (req, socket, head) => {
      socket.write(`HTTP/1.1 200 Connection Established\r\n\r\n${req.url} head=${head}|`)
      socket.on('data', (d) => socket.end(`tunnel:${d}`))
    })
    const port = await listenOn(t, transport, app)
    return exchange(port, ['CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\nhi', /head=hi\|/, 'there'])
  })
  t.match(text, /200 Connection Established\r\n\r\nexample.org:443 head=hi\|tunnel:there/)
})

t.test('keep-alive timeout: an idle connection is closed by the server after its answer', async (t) => {
  const text = await sameOnBoth(t, async (transport) => {
    const app = http.createServer((req, res) => res.end(`answer to ${req.url}`))
    app.keepAliveTimeout = 50
    const port = await listenOn(t, transport, app)
    return exchange(port, [get('/a'), get('/b')])
  })
  t.same(text.match(/answer to \/\w/g), ['answer to /a', 'answer to /b'])
  t.match(text, /Keep-Alive: timeout=0/)
})

t.test("a 'data' listener the app adds to the socket sees the requests' bytes, and node:http still answers", async (t) => {
  const requests = [get('/x'), get('/y'), get('/z', 'Connection: close\r\n')]
  const text = await sameOnBoth(t, async (transport) => {
    let seen = ''
    const app = http.createServer((req, res) => res.end(`${req.url} answered`))
    app.on('connection', (socket) => socket.on('data', (d) => (seen += d)))
    const port = await listenOn(t, transport, app)
    const answer = await exchange(port, requests)
    return `${answer}|total seen ${seen.length}`
  })
  t.match(text, `total seen ${requests.join('').length}`)
  t.same(text.match(/\/[xyz] answered/g), ['/x answered', '/y answered', '/z answered'])
})
