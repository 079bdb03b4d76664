// An app's own cost per request, with a transport that costs nothing: the hello-world app of
// http-server.mjs (node:http, or Express on it), given in-process Duplex sockets whose writes are
// dropped at once and whose reads are requests pushed from here. No system call, no load generator:
// what is left is node:http's parser, request and response objects, the Readable/Writable under
// them, the app, and V8's work around them, which any transport handing node:http a stream pays
// (bench/http-bound.mjs).
//
//   node bench/servers/http-alone.mjs <connections> <pipelining> <seconds> [http|express] [bytes|parsed]
// Prints {"requests":N,"userUs":µs,"systemUs":µs} (CPU per request over the measured seconds).
// Each macrotask is a wake-up that carries a request (or a pipelined batch) from every connection,
// each connection sent its next batch once its last response is out: the most requests a wake-up
// can carry, so the per-wake-up work is spread as thin as any load could spread it, and with the
// caches hot the figure is a floor for node:http under any transport that hands it a stream.
// (Express's figure moves with its garbage collection, by ±10 µs between runs.)
//
// `parsed` takes the parser out too: each request is handed to node:http as its parser's two
// callbacks (headers complete, message complete) with the request already parsed, what a native
// HTTP parser driving node:http's request and response objects would call, minus its own parsing.
// That is a floor for such a parser: node:http's objects, the app and the response path alone.
// It reaches node:http's parser through the `_http_common` module and the callback slots of Node
// 20's HTTPParser; on a Node without them it says so and exits.
import http from 'node:http'
import { createRequire } from 'node:module'
import { Duplex } from 'node:stream'
import { helloApp } from './hello-app.mjs'

const [connections, pipelining, seconds] = process.argv.slice(2, 5).map(Number)
const input = process.argv[6] ?? 'bytes'
if (!(connections > 0 && pipelining > 0 && seconds > 0) || !['bytes', 'parsed'].includes(input)) {
  throw new TypeError('usage: http-alone.mjs <connections> <pipelining> <seconds> [http|express] [bytes|parsed]')
}
const app = await helloApp(process.argv[5] ?? 'http')

const REQUEST = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n'
const BATCH = Buffer.from(REQUEST.repeat(pipelining))

class NullSocket extends Duplex {
  /** Responses node:http has finished writing to this socket. */
  answered = 0
  constructor() {
    super({ decodeStrings: false })
  }
  _read() {}
  _write(chunk, encoding, cb) {
    cb()
  }
  _writev(chunks, cb) {
    cb()
  }
  setTimeout() { return this }
  setNoDelay() { return this }
  setKeepAlive() { return this }
}

const server = http.createServer(app)
// Counting answers costs a listener per request, well under 1% of node:http's work.
server.prependListener('request', (req, res) => res.once('finish', () => req.socket.answered++))
const sockets = Array.from({ length: connections }, () => {
  const socket = new NullSocket()
  server.emit('connection', socket)
  return socket
})
const sent = new Array(connections).fill(0) // batches pushed to each socket

/** REQUEST, given to node:http as its parser gives it (Node 20's callback slots). */
function parsedRequests() {
  const { HTTPParser, methods } = createRequire(import.meta.url)('_http_common')
  const headersComplete = HTTPParser?.kOnHeadersComplete
  const messageComplete = HTTPParser?.kOnMessageComplete
  const parser = sockets[0].parser
  if (typeof parser?.[headersComplete] !== 'function' || typeof parser[messageComplete] !== 'function') {
    console.error(`this Node (${process.version}) has no HTTPParser callbacks to call: no 'parsed' figure`)
    process.exit(3)
  }
  const [requestLine, ...headerLines] = REQUEST.trimEnd().split('\r\n')
  const [method, url] = requestLine.split(' ')
  const methodIndex = methods.indexOf(method)
  const headers = headerLines.flatMap((line) => line.split(': ')) // [name, value, name, value...]
  return (socket) => {
    for (let i = 0; i < pipelining; i++) {
      // (versionMajor, versionMinor, headers, method, url, statusCode, statusMessage, upgrade,
      // shouldKeepAlive); a fresh headers array each time, as the parser makes one per request
      socket.parser[headersComplete](1, 1, headers.slice(), methodIndex, url, undefined, undefined, false, true)
      socket.parser[messageComplete]()
    }
  }
}
const deliver = input === 'parsed' ? parsedRequests() : (socket) => socket.push(BATCH)

const runTicks = process._tickCallback
let stopAt = 0
/** A wake-up: every connection whose previous answers are all out is pushed its next batch. */
function wakeUp(resolve) {
  for (let i = 0; i < connections; i++) {
    const socket = sockets[i]
    if (socket.answered !== sent[i] * pipelining) continue
    sent[i]++
    deliver(socket)
    runTicks() // after each socket's read, as node (and ringpoll/net) run them
  }
  if (performance.now() < stopAt) setImmediate(wakeUp, resolve)
  else resolve()
}

async function run(s) {
  stopAt = performance.now() + s * 1000
  await new Promise((resolve) => setImmediate(wakeUp, resolve))
}

await run(0.5) // warm-up: the JIT and the heap settle first
const answered = () => sockets.reduce((n, s) => n + s.answered, 0)
const answeredBefore = answered()
const before = process.cpuUsage()
await run(seconds)
const cpu = process.cpuUsage(before)
const requests = answered() - answeredBefore
if (requests === 0) throw new Error('the app answered nothing')
console.log(JSON.stringify({ requests, userUs: cpu.user / requests, systemUs: cpu.system / requests }))
process.exit(0)
