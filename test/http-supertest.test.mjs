// supertest against Express and Koa apps, unchanged, on node:net and on ringpoll: the app's
// http.Server has its listen() sent through serve() (what a test suite's set-up does), supertest
// starts it, runs the requests and closes it again. The responses are compared, and the ringpoll
// listener must be gone afterwards.
import t from 'tap'
import http from 'node:http'
import express from 'express'
import Koa from 'koa'
import request from 'supertest'
import { serve } from 'ringpoll/http'
import { stats } from 'ringpoll'

const frameworks = {
  Express() {
    const app = express()
    app.use(express.json())
    app.get('/', (req, res) => res.send('hello'))
    app.post('/echo', (req, res) => res.json({ got: req.body }))
    app.get('/async', async (req, res) => {
      await new Promise((resolve) => setImmediate(resolve))
      res.set('x-later', 'yes').send('later')
    })
    return http.createServer(app)
  },
  Koa() {
    const app = new Koa()
    app.use(async (ctx, next) => {
      await next()
      ctx.set('x-koa', 'yes')
    })
    app.use(async (ctx) => {
      if (ctx.path === '/') ctx.body = 'hello'
      else if (ctx.path === '/echo' && ctx.method === 'POST') {
        const parts = []
        for await (const part of ctx.req) parts.push(part)
        ctx.body = { got: JSON.parse(Buffer.concat(parts)) }
      } else if (ctx.path === '/async') {
        await new Promise((resolve) => setImmediate(resolve))
        ctx.body = 'later'
      }
    })
    return http.createServer(app.callback())
  },
}

/** What supertest sees for a few requests, in order and at once; the server is closed after. */
async function run(server) {
  const seen = (res) => [res.status, res.headers['content-type'], res.headers['x-later'] ?? res.headers['x-koa'], res.text]
  const results = [
    seen(await request(server).get('/')),
    seen(await request(server).post('/echo').send({ a: [1, 2] })),
    seen(await request(server).get('/missing')),
    seen(await request(server).get('/async')),
  ]
  const together = await Promise.all(Array.from({ length: 5 }, () => request(server).get('/async')))
  results.push(together.map(seen))
  await request(server).get('/').expect(200, 'hello')
  return results
}

for (const [name, make] of Object.entries(frameworks)) {
  t.test(`${name} under supertest: the same on ringpoll as on node:net`, async (t) => {
    const node = await run(make())
    const listeners = stats().listeners
    const server = make()
    server.listen = (...args) => (serve(server, ...args), server)
    const ringpoll = await run(server)
    t.same(ringpoll, node)
    t.equal(node[0][0], 200)
    t.same(JSON.parse(node[1][3]), { got: { a: [1, 2] } })
    t.equal(server.listening, false, 'supertest closed the server it started')
    t.equal(stats().listeners, listeners, 'and the ringpoll listener with it')
  })
}
