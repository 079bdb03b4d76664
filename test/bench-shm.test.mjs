// The shm scenario's machinery (bench/scenarios/shm.mjs): its server and client processes on each
// transport, that a wrong echo fails a run, and that a run of one scenario keeps the others in
// RESULTS.md.
import t from 'tap'
import net from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contenders, roundTrips, stream } from '../bench/scenarios/shm.mjs'
import { measured, startClient } from '../bench/lib/lane.mjs'
import { startServer, stopServer } from '../bench/lib/processes.mjs'
import { parseResults, resultsMarkdown } from '../bench/lib/results.mjs'

const dir = mkdtempSync(join(tmpdir(), 'ringpoll-shm-test-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const all = contenders(dir)

t.test('every load, briefly, on each kind of contender', async (t) => {
  for (const name of ['ringpoll over shm (io_uring)', 'ringpoll over shm (epoll)', 'ringpoll over UDS (epoll)', 'ringpoll over TCP (epoll)', 'node:net over UDS']) {
    const contender = all.find((c) => c.name === name)
    const server = await startServer(contender)
    try {
      server.client = await startClient(server, contender)
      t.equal(server.client.transport, contender.transport, `${name}: the client runs over ${contender.transport}`)
      for (const size of [64, 4096, 65536, 2 ** 20]) {
        const r = await roundTrips(server, { size, maxCount: 1000 }, 0.05)
        t.ok(r.rate > 0, `${name}: round trips of ${size} B counted`)
        t.ok(r.p99 >= r.p50, `${name}: p99 ≥ p50 at ${size} B`)
        t.ok(r.cpu >= 0, `${name}: CPU per round trip at ${size} B read`)
      }
      const s = await stream(server, 0.05)
      t.ok(s.mbps > 0 && s.cpu >= 0, `${name}: MB streamed`)
    } finally {
      await stopServer(server)
    }
  }
})

t.test('a round trip fails on an echo that is not the message sent', async (t) => {
  // Takes each connection's first byte (ECHO or SINK) and answers every later byte with a 7: the
  // tag check refuses the first echo.
  const path = join(dir, 'liar.sock')
  const liar = net.createServer((socket) => {
    let first = true
    socket.on('data', (d) => {
      const n = d.length - (first ? 1 : 0)
      first = false
      if (n > 0) socket.write(Buffer.alloc(n, 7))
    })
  })
  await new Promise((resolve) => liar.listen(path, resolve))
  t.teardown(() => liar.close())
  const contender = { ...all.find((c) => c.name === 'ringpoll over UDS (epoll)'), where: path }
  const server = { pid: process.pid, port: 0 }
  server.client = await startClient(server, contender)
  t.teardown(() => server.client.child.stdin.end())
  await t.rejects(measured(server, 'roundtrips 64 10 1', 1), /starts with 7, not its tag/)
})

t.test('a run of one scenario rewrites its section and goal rows, and keeps the others', async (t) => {
  const scenarios = [{ name: 'a', title: 'Alpha' }, { name: 'b', title: 'Beta', goalPrefix: 'B' }]
  const full = resultsMarkdown({
    header: '# Benchmark results\n\nWritten by a full run.\n',
    scenarios,
    sections: [
      { name: 'a', title: 'Alpha', charts: [], markdown: 'alpha figures\n', goals: [{ goal: 'Alpha fast', measured: '1×', met: true }] },
      { name: 'b', title: 'Beta', charts: [], markdown: 'beta figures\n', goals: [{ goal: 'B small', measured: '2×', met: false }] },
    ],
    previous: null,
  })
  const previous = parseResults(full)
  t.same([...previous.sections.keys()], ['Alpha', 'Beta'])
  t.equal(resultsMarkdown({ header: full.slice(0, full.indexOf('\n## Goals\n')), scenarios, sections: [], previous }), full, 'nothing run: the same file')
  const partial = resultsMarkdown({
    header: full.slice(0, full.indexOf('\n## Goals\n')),
    scenarios,
    sections: [{ name: 'b', title: 'Beta', charts: [], markdown: 'new beta figures\n', goals: [{ goal: 'B small', measured: '0.5×', met: true }] }],
    previous,
    provenance: 'From the partial run.',
  })
  t.match(partial, /Written by a full run/)
  t.match(partial, /\| Alpha fast \| 1× \| met \|/)
  t.match(partial, /\| B small \| 0.5× \| met \|/)
  t.notMatch(partial, /\| B small \| 2× \|/, 'the old goal row is gone')
  t.match(partial, /## Alpha\n\nalpha figures/)
  t.match(partial, /## Beta\n\n_From the partial run._\n\nnew beta figures/)
  t.notMatch(partial, /\nbeta figures/)
})
