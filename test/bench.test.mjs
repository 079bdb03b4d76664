// The bench's own machinery: the figures it computes, the chart it draws, and the compiled load
// client against real servers on loopback (that it counts echoes, and refuses a wrong answer).
import t from 'tap'
import net from 'node:net'
import { execFileSync } from 'node:child_process'
import { median, percentile, ratio } from '../bench/lib/stats.mjs'
import { barChart } from '../bench/lib/svg.mjs'
import { table } from '../bench/lib/markdown.mjs'
import { echoLoad } from '../bench/lib/echo-client.mjs'
import { benchPath, node, startServer, stopServer } from '../bench/lib/processes.mjs'
import { cServer, floorServer, ringpoll } from '../bench/lib/contenders.mjs'
import { alternate } from '../bench/lib/rounds.mjs'
import { samplesByKind } from '../bench/lib/profile-kinds.mjs'

t.test('median, percentile and ratio', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.equal(median([5, NaN, 1]), 3, 'failed figures (NaN) are left out')
  t.ok(Number.isNaN(median([])))
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i)
  t.equal(percentile(xs, 50), 50)
  t.equal(percentile(xs, 99), 99)
  t.equal(percentile(xs, 100), 100)
  t.equal(ratio(3, 2), 1.5)
  t.ok(Number.isNaN(ratio(3, 0)), 'no ratio to a missing reference')
})

t.test('a markdown table escapes pipes in cells', async (t) => {
  const md = table([{ title: 'a', align: 'left' }, { title: 'b' }], [['x|y', 1]])
  t.equal(md, '| a | b |\n| --- | ---: |\n| x\\|y | 1 |')
})

t.test('a profile\'s samples sorted by kind of work', async (t) => {
  const dist = new URL('../dist/reactor.js', import.meta.url).pathname
  const lines = [
    '  4.45%   483  [kernel.kallsyms]    [k] tcp_ack',
    '  1.00%   100  ringpoll.node        [.] ringpoll::LinkBuffer::Consume',
    `  0.83%    90  [JIT] tid 9333       [.] JS:*dispatch ${dist}:82:13`,
    '  0.50%    50  [JIT] tid 9333       [.] JS:*x /srv/node_modules/other/dist/a.js:1:1',
    '  0.60%    60  [JIT] tid 9333       [.] JS:*parserOnIncoming node:_http_server:1026:26',
    '  0.40%    40  node                 [.] llhttp__internal_execute',
    '  0.30%    30  node                 [.] v8::internal::Scavenger::ScavengePage',
    '  0.20%    20  node                 [.] Builtins_LoadIC',
    'not a sample line',
  ]
  const { counts, total } = samplesByKind(lines)
  t.equal(total, 873)
  t.same([counts.kernel, counts['ringpoll native'], counts['ringpoll JS'], counts['other JS (the app, regexps)']], [483, 100, 90, 50],
    'only this checkout\'s dist/ is ringpoll\'s JS')
  t.same([counts['node:http JS'], counts['llhttp and its binding'], counts.GC, counts['V8 builtins']], [60, 40, 30, 20])
})

t.test('the bar chart: one bar per figure, a gap for a missing one, names escaped', async (t) => {
  const svg = barChart({
    title: 'a <chart>',
    unit: 'µs',
    groups: ['one', 'two'],
    series: [{ name: 'p & q', values: [1, 2] }, { name: 'r', values: [3, NaN] }],
  })
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  t.match(svg, /a &lt;chart&gt;/)
  t.match(svg, /p &amp; q/)
  t.equal(svg.match(/<rect [^>]*><title>/g).length, 3, 'three bars for three figures')
  t.notMatch(svg, /NaN/)
})

t.test('the compiled echo client against the C and ringpoll echo servers', async (t) => {
  for (const contender of [cServer('C', 'echo_epoll'), ringpoll('echo-ringpoll.mjs')[0]]) {
    const server = await startServer(contender)
    try {
      const r = await echoLoad(server, { connections: 4, request: 3000, seconds: 0.2, warmup: 0.05 })
      t.ok(r.messages > 0, `${contender.name}: echoes counted`)
      t.ok(r.p99 >= r.p50, `${contender.name}: p99 ≥ p50`)
      t.ok(r.cpu >= 0, `${contender.name}: the server's CPU time read`)
    } finally {
      await stopServer(server)
    }
  }
})

t.test('the echo client fails on a server that answers more than it asked for', async (t) => {
  const server = net.createServer((socket) => socket.on('data', (d) => socket.write(Buffer.concat([d, d]))))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const fake = { port: server.address().port, pid: process.pid, name: 'doubling server' }
  await t.rejects(echoLoad(fake, { connections: 1, request: 10, seconds: 0.2, warmup: 0 }), /answered a request that wants 10/)
})

// Requests whole, pipelined, and cut inside the terminator: every variant answers each exactly once.
function exchange(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let got = ''
    socket.setEncoding('latin1')
    socket.on('error', reject)
    socket.on('data', (d) => {
      got += d
      if (got.split('hello world\n').length - 1 === 4) socket.end()
    })
    socket.on('close', () => resolve(got.split('HTTP/1.1 200 OK').length - 1))
    const request = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
    socket.write(request + request + request.slice(0, -3))
    setTimeout(() => socket.write(request.slice(-3) + request), 20)
  })
}

t.test('the Node floor answers every request once, in each variant', async (t) => {
  for (const variant of ['direct', 'nested', 'callback', 'js']) {
    const server = await startServer(floorServer(`floor ${variant}`, variant))
    try {
      t.equal(await exchange(server.port), 4, `${variant}: four requests, four responses`)
    } finally {
      await stopServer(server)
    }
  }
})

t.test('node:http alone answers whole pipelined batches on every connection, as bytes or parsed', async (t) => {
  for (const input of ['bytes', 'parsed']) {
    const argv = [benchPath('servers/http-alone.mjs'), '3', '4', '0.2', 'http', input]
    const out = JSON.parse(execFileSync(node, argv, { encoding: 'utf8' }))
    t.ok(out.requests > 0, `${input}: ${out.requests} requests answered`)
    t.equal(out.requests % 4, 0, `${input}: each wake-up answers every request it carried`)
    t.ok(out.userUs > 0 && Number.isFinite(out.systemUs), `${input}: CPU per request`)
  }
})

t.test('a ringpoll server that runs on another backend than asked has no figures', async (t) => {
  const uring = ringpoll('echo-ringpoll.mjs').find((c) => c.backend === 'io_uring')
  // Forcing epoll through the environment stands for a build or kernel without io_uring.
  const err = await startServer({ ...uring, env: { RINGPOLL_BACKEND: 'epoll' } }).catch((e) => e)
  t.equal(err.unavailable, 'io_uring: not available in this build (ran on epoll)')
})

t.test('a contender marked unavailable (a peer that did not install) is reported, never started', async (t) => {
  let measured = 0
  const c = cServer('C epoll reference', 'echo_epoll')
  const [missing, present] = await alternate([{ name: 'Bun.listen', unavailable: 'npm ci in bench/peers failed' }, c], {
    rounds: 2,
    measure: async () => ++measured,
  })
  t.equal(missing.unavailable, 'npm ci in bench/peers failed')
  t.same(missing.runs, [])
  t.same(missing.failures, [])
  t.equal(present.runs.length, 2, 'the others are measured as usual')
  t.equal(measured, 2)
})
