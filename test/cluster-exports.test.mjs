// ringpoll/cluster: the ESM and CommonJS entries give the same objects.
import t from 'tap'
import { createRequire } from 'node:module'
import * as esm from 'ringpoll/cluster'

const require = createRequire(import.meta.url)
const cjs = require('ringpoll/cluster')

for (const name of ['availableCores', 'startWorkers', 'WorkerPool']) {
  t.type(esm[name], 'function', `ringpoll/cluster exports ${name}`)
  t.equal(cjs[name], esm[name], `CommonJS gives the same ${name}`)
}
