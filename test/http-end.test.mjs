// Requests followed by the client's FIN (health checks, HTTP/1.0-style clients, `nc -N`): the
// responses come as on node:net, also from handlers that answer after a microtask or a
// setImmediate (Koa always does; so do async Express handlers). node:http aborts the requests it
// has not answered when it sees the end, so the end must come after the callbacks the data
// started, as node:net's does. Each scenario runs on node:http over node:net and over ringpoll,
// with a raw node:net client that writes the requests and then end()s.
import t from 'tap'
import http from 'node:http'
import net from 'node:net'
import express from 'express'
import Koa from 'koa'
import { serve } from 'ringpoll/http'
import { once } from './helpers/net-compare.mjs'

const request = (path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`

/** Answers `req` with `body` after `when`: now, after an await, or after a setImmediate. */
function answer(when, res, body) {
  if (when === 'now') return res.end(body)
  if (when === 'microtask') return Promise.resolve().then(() => res.end(body))
  setImmediate(() => res.end(body))
}

const apps = {
  'node:http, sync': () => http.createServer((req, res) => answer('now', res, `body ${req.url};`)),
  'node:http, after a microtask': () => http.createServer((req, res) => answer('microtask', res, `body ${req.url};`)),
  'node:http, after setImmediate': () => http.createServer((req, res) => answer('immediate', res, `body ${req.url};`)),
  Koa: () => {
    const app = new Koa()
    app.use(async (ctx) => {
      await null
      ctx.body = `body ${ctx.url};`
    })
    return http.createServer(app.callback())
  },
  'Express, async handler': () => {
    const app = express()
    app.use(async (req, res) => {
      await new Promise((resolve) => setImmediate(resolve))
      res.send(`body ${req.url};`)
    })
    return http.createServer(app)
  },
}

/** The bytes a client gets for `requests` sent at once and then its FIN; Date headers removed. */
async function exchange(listen, makeApp, requests) {
  const app = makeApp()
  listen(app)
  await once(app, 'listening')
  const client = net.connect(app.address().port, '127.0.0.1')
  let text = ''
  client.on('data', (d) => (text += d))
  await once(client, 'connect')
  client.end(requests.map(request).join(''))
  await once(client, 'close')
  await new Promise((resolve) => app.close(resolve))
  return text.replace(/^Date: .*\r\n/gim, '')
}

const onNode = (app) => app.listen(0, '127.0.0.1')
const onRingpoll = (app) => serve(app, 0, '127.0.0.1')

for (const [name, makeApp] of Object.entries(apps)) {
  for (const requests of [['/one'], ['/one', '/two']]) {
    t.test(`${name}: ${requests.length} request(s), then FIN`, async (t) => {
      const node = await exchange(onNode, makeApp, requests)
      const ringpoll = await exchange(onRingpoll, makeApp, requests)
      t.same(node.match(/body \/\w+;/g), requests.map((p) => `body ${p};`), 'node:net answers every request')
      t.equal(ringpoll, node, 'ringpoll sends what node:net sends')
    })
  }
}
