// ringpoll/net and ringpoll/http: the ESM and CommonJS entries give the same objects.
import t from 'tap'
import { createRequire } from 'node:module'
import * as netEsm from 'ringpoll/net'
import * as httpEsm from 'ringpoll/http'

const require = createRequire(import.meta.url)
const netCjs = require('ringpoll/net')
const httpCjs = require('ringpoll/http')

for (const name of ['createServer', 'connect', 'createConnection', 'Server', 'Socket', 'Stream', 'isIP', 'isIPv4', 'isIPv6']) {
  t.type(netEsm[name], 'function', `ringpoll/net exports ${name}`)
  t.equal(netCjs[name], netEsm[name], `CommonJS gives the same ${name}`)
}
t.equal(netEsm.createConnection, netEsm.connect)
t.equal(netEsm.Stream, netEsm.Socket)
for (const name of ['serve', 'HttpListener']) {
  t.type(httpEsm[name], 'function', `ringpoll/http exports ${name}`)
  t.equal(httpCjs[name], httpEsm[name], `CommonJS gives the same ${name}`)
}
t.throws(() => httpEsm.serve({}, 0), { code: 'ERR_INVALID_ARG_TYPE' }, 'serve() needs an http.Server')
