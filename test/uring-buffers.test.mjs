// io_uring's buffer ring grows on demand: it starts with 16 receive buffers, a request-response
// load never grows it, bulk input arriving faster than the refills doubles it up to the ring's
// size (256, or RINGPOLL_URING_BUFFERS) and no further, and no byte is lost or reordered either
// way. Each case runs in a child process, whose reactor starts with a fresh ring. io_uring
// behaviour: the epoll run of the suite only checks that an epoll thread has no ring.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createServer, stats } from 'ringpoll'

const child = fileURLToPath(new URL('./helpers/uring-buffers-child.mjs', import.meta.url))
const onEpoll = process.env.RINGPOLL_BACKEND === 'epoll'
const skip = onEpoll && 'io_uring behaviour, tested in the io_uring run'

function run(mode, env = {}) {
  const out = execFileSync(process.execPath, [child, mode], {
    env: { ...process.env, RINGPOLL_BACKEND: 'io_uring', ...env },
    encoding: 'utf8',
  })
  return JSON.parse(out)
}
const all = (flags) => flags.length > 0 && flags.every(Boolean)

t.test('an epoll thread has no buffer ring', { skip: !onEpoll && 'the epoll run checks this' }, async (t) => {
  const s = createServer({})
  await s.listen({ port: 0, host: '127.0.0.1' })
  t.equal(s.backend, 'epoll')
  t.equal(stats().uringBuffers, 0)
  await s.close()
})

t.test('the ring starts small and a request-response load leaves it so', { skip }, async (t) => {
  const r = run('small')
  t.equal(r.backend, 'io_uring')
  t.equal(r.start, 16, '16 buffers at start')
  t.equal(r.grown, 16, 'no growth for 64 connections of 1 KiB round trips')
  t.ok(all(r.intact), 'every echo intact, in order')
  t.equal(r.chunksInUse, 0, 'every chunk back')
})

t.test('bulk input held by the server grows the ring to its size, and every byte arrives in order', { skip }, async (t) => {
  const r = run('bulk')
  t.equal(r.start, 16, '16 buffers at start')
  // 64 MiB through the ring fills it between refills at every size: 256 in every run so far, but
  // the assertion is only that it grew, by doublings, and stayed within the ring.
  t.ok([32, 64, 128, 256].includes(r.grown), `grown by doublings to ${r.grown}, at most the ring's 256`)
  t.equal(r.intact.length, 32, 'every connection seen')
  t.ok(all(r.intact), 'each connection\'s 2 MiB intact, in order')
  t.equal(r.chunksInUse, 0, 'every chunk back')
})

t.test('RINGPOLL_URING_BUFFERS is the most the ring grows to', { skip }, async (t) => {
  const r = run('bulk', { RINGPOLL_URING_BUFFERS: '64' })
  t.equal(r.start, 16)
  t.equal(r.grown, 64, 'grown to the maximum, not past it')
  t.ok(all(r.intact), 'every byte intact, in order')
  const tiny = run('small', { RINGPOLL_URING_BUFFERS: '8' })
  t.equal(tiny.start, 8, 'a ring smaller than 16 starts full')
  t.equal(tiny.grown, 8)
  t.ok(all(tiny.intact), 'every echo intact, in order')
})
