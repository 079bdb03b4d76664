// Both entry points (ESM and CommonJS) give the same objects.
import t from 'tap'
import { createRequire } from 'node:module'
import * as esm from 'ringpoll'

const require = createRequire(import.meta.url)
const cjs = require('ringpoll')

for (const name of ['createServer', 'connect', 'stats', 'RingpollError', 'Connection', 'Reader', 'Writer', 'Server']) {
  t.type(esm[name], 'function', `ESM exports ${name}`)
  t.equal(cjs[name], esm[name], `CommonJS exports the same ${name}`)
}
