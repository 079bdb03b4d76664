// node:http on ringpoll under load: a 50 MB response to a slow reader stays bounded in memory,
// and a short autocannon run finishes without errors.
import t from 'tap'
import http from 'node:http'
import autocannon from 'autocannon'
import { serveHttp } from './helpers/http-serve.mjs'
import { sleep } from './helpers/util.mjs'

const TOTAL = 50 << 20
// What may be in flight between the handler's writes and the reader: the kernel's socket buffers
// on both ends (a few MiB each on loopback) and the stream's and the connection's high-water marks.
const IN_FLIGHT_BOUND = 16 << 20

t.test('a 50 MB response to a slow reader: what is in flight stays bounded', async (t) => {
  let written = 0
  let received = 0
  let maxInFlight = 0
  const { url } = await serveHttp(t, (req, res) => {
    const block = Buffer.alloc(64 * 1024, 'r')
    res.setHeader('content-length', TOTAL)
    const pump = () => {
      while (written < TOTAL) {
        written += block.length
        maxInFlight = Math.max(maxInFlight, written - received)
        if (!res.write(block)) return res.once('drain', pump)
      }
      res.end()
    }
    pump()
  })
  await new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let sincePause = 0
      res.on('data', (d) => {
        received += d.length
        sincePause += d.length
        if (sincePause >= 1 << 20) {
          // A slow reader: a pause after every MiB.
          sincePause = 0
          res.pause()
          sleep(5).then(() => res.resume())
        }
      })
      res.on('end', resolve)
      res.on('error', reject)
    }).on('error', reject)
  })
  t.equal(received, TOTAL, 'every byte arrived')
  t.ok(maxInFlight <= IN_FLIGHT_BOUND, `at most ${(maxInFlight / 2 ** 20).toFixed(1)} MiB were in flight`)
})

t.test('autocannon: a short run, 0 errors and 0 non-2xx', async (t) => {
  let served = 0
  const { url } = await serveHttp(t, (req, res) => {
    served++
    res.end('hello world\n')
  })
  const result = await autocannon({ url, connections: 20, duration: 1, pipelining: 2 })
  t.equal(result.errors, 0, 'no errors')
  t.equal(result.timeouts, 0, 'no timeouts')
  t.equal(result.non2xx, 0, 'no non-2xx')
  t.ok(result.requests.total > 0, `${result.requests.total} requests`)
  t.ok(served >= result.requests.total, 'the server answered every request autocannon counted')
})
