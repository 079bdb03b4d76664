// An Express app served on ringpoll sockets: the app is unchanged, only the listen differs.
//   PORT=3000 node examples/express-hello.mjs
import { createServer } from 'node:http'
import express from 'express'
import { serve } from 'ringpoll/http'

const app = express()
app.use(express.json())
app.get('/hello/:name', (req, res) => res.json({ hello: req.params.name }))
app.post('/echo', (req, res) => res.json({ got: req.body }))

const listener = serve(createServer(app), { port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' }, () => {
  // A port listen has an { address, family, port } (as with node:net, address() is typed for any listen).
  const { port } = /** @type {import('node:net').AddressInfo} */ (listener.address())
  console.log(`listening on http://127.0.0.1:${port}`)
})
// Stop accepting, let requests in flight finish, then exit.
process.once('SIGTERM', () => listener.close())
