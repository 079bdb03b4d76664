// A child process for ref-unref.test.mjs: runs one scenario with node:net or ringpoll/net (or the
// raw API) and prints one line per event, then 'exit' when the process runs out of work. A timer
// that does not hold the process closes whatever is still open after HOLD_MS, so a handle that
// keeps the process alive shows as 'closing' before 'exit'; one that does not, as 'exit' alone.
import http from 'node:http'
import net from 'node:net'
import express from 'express'
import request from 'supertest'
import * as ringpollNet from 'ringpoll/net'
import { serve } from 'ringpoll/http'
import { createServer, connect } from 'ringpoll'

const [impl, scenario, port] = process.argv.slice(2)
const HOLD_MS = 500 // long enough that a loaded machine does not run the timer before the loop could exit
const lib = impl === 'node:net' ? net : ringpollNet
const log = (line) => process.stdout.write(`${line}\n`)
process.on('exit', () => log('exit'))

/** After HOLD_MS (without holding the process itself), log 'closing' and run `close`. */
function closeLater(close) {
  setTimeout(() => {
    log('closing')
    close()
  }, HOLD_MS).unref()
}

function server(...calls) {
  const s = lib.createServer()
  s.listen(0, '127.0.0.1', () => log('listening'))
  for (const call of calls) s[call]()
  s.on('close', () => log('close'))
  closeLater(() => s.close())
}

function client(unrefAt, ...calls) {
  const socket = lib.connect(Number(port), '127.0.0.1', () => {
    log('connect')
    if (unrefAt === 'connected') for (const call of calls) socket[call]()
  })
  if (unrefAt === 'connecting') for (const call of calls) socket[call]()
  socket.on('close', () => log('close'))
  closeLater(() => socket.destroy())
}

/** An http.Server that listens with node:net (its own listen) or with ringpoll (serve). */
function httpServer(handler) {
  const app = http.createServer(handler)
  if (impl !== 'node:net') app.listen = (...args) => (serve(app, ...args), app)
  return app
}

const scenarios = {
  'server': () => server(),
  'server unref': () => server('unref'),
  'server unref ref': () => server('unref', 'ref'),
  'client': () => client('connected'),
  'client unref': () => client('connected', 'unref'),
  'client unref ref': () => client('connected', 'unref', 'ref'),
  'client unref while connecting': () => client('connecting', 'unref'),
  'http'() {
    const app = httpServer()
    app.listen(0, '127.0.0.1', () => log('listening'))
    app.on('close', () => log('close'))
    closeLater(() => app.close())
  },
  'http unref'() {
    const app = httpServer()
    app.listen(0, '127.0.0.1', () => log('listening')).unref()
    app.on('close', () => log('close'))
    closeLater(() => app.close())
  },
  // supertest starts the server, and closes it after the last request: nothing is left open.
  async 'supertest'() {
    const router = express()
    router.get('/', (req, res) => res.send('hello'))
    const app = httpServer(router)
    for (let i = 0; i < 2; i++) await request(app).get('/').expect(200, 'hello')
    log(`done, listening: ${app.listening}`)
    closeLater(() => app.close())
  },
  // The raw API (no node:net counterpart).
  async 'raw server unref'() {
    const s = createServer({ onData() {} }).unref()
    await s.listen({ port: 0, host: '127.0.0.1' })
    log('listening')
    closeLater(() => s.close().then(() => log('close')))
  },
  async 'raw server unref ref'() {
    const s = createServer({ onData() {} })
    await s.listen({ port: 0, host: '127.0.0.1' })
    s.unref().ref()
    log('listening')
    closeLater(() => s.close().then(() => log('close')))
  },
  async 'raw client unref'() {
    const conn = await connect({ port: Number(port), host: '127.0.0.1' }, { onData() {}, onClose: () => log('close') })
    log('connect')
    conn.unref()
    closeLater(() => conn.close())
  },
  async 'raw client unref ref'() {
    const conn = await connect({ port: Number(port), host: '127.0.0.1' }, { onData() {}, onClose: () => log('close') })
    log('connect')
    conn.unref().ref()
    closeLater(() => conn.close())
  },
}
scenarios[scenario]()
