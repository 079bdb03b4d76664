// The shm lane against a peer that is not trusted (test/native/shm_peer.cc, which speaks the wire
// format of native/shm_layout.h by itself): after an honest start, each mode breaks one rule (a
// descriptor out of its chunk or of the region, an unknown kind, a descriptor tail past the ring,
// inline bytes promised and never sent, a bad or cut frame, chunks returned that were never out
// or twice, a return tail past the ring). The connection closes with EPROTO, the region is
// unmapped, no fd stays, and the server goes on serving an honest peer. A peer that never returns
// a chunk gets the rest of the stream over the socket; one that rewrites descriptors after
// publishing them (TOCTOU) cannot make the server read outside the region.
import t from 'tap'
import { fdCount, until } from './helpers/util.mjs'
import { lanesGone, shmEcho } from './helpers/shm.mjs'
import { buildPeer, fdsBack, honestEcho, runPeer } from './helpers/shm-peer.mjs'

const built = buildPeer()
t.equal(built, null, `the peer program builds ${built ?? ''}`)

const LIES = [
  'desc-chunk-range',
  'desc-chunk-max',
  'desc-offset-past',
  'desc-offset-wrap',
  'desc-length-zero',
  'desc-length-huge',
  'desc-socket-huge',
  'desc-kind-unknown',
  'desc-kind-zero',
  'desc-tail-far',
  'desc-tail-behind',
  'desc-socket-fin',
  'desc-socket-short-fin',
  'frame-kind-unknown',
  'frame-inline-zero',
  'frame-inline-huge',
  'frame-cut-fin',
  'return-unpublished',
  'return-twice',
  'return-out-of-range',
  'ret-tail-far',
]

t.test('the honest peer program echoes through the lane', async (t) => {
  const { server, path, transports, closes } = await shmEcho()
  const fdsBefore = fdCount()
  const r = await honestEcho(t, path, 3 << 20)
  t.ok(r.spilled_frames >= 0, 'the report counts inline frames')
  t.same(transports, ['shm'], 'the server saw one shm connection')
  t.same(closes, [undefined], 'closed cleanly after the FIN')
  await server.close()
  await lanesGone(t)
  await fdsBack(t, fdsBefore, 'the lane')
})

t.test('a first message in a chunk is noticed, whatever the flags the region was created with', async (t) => {
  const { server, path, closes } = await shmEcho()
  const run = await runPeer('first-chunk', path)
  t.equal(run.report?.reply, 'accepted', `accepted ${run.stdout}${run.stderr}`)
  t.equal(run.report?.warm_up, true, 'its echo came back (the acceptor said it sleeps before answering)')
  t.equal(run.report?.closed, true)
  await until(() => closes.length === 1, 'the close')
  t.same(closes, [undefined], 'closed cleanly after the FIN')
  await server.close()
  await lanesGone(t)
})

t.test('each lie closes its connection with EPROTO; the server goes on', async (t) => {
  const { server, path, closes } = await shmEcho()
  for (const mode of LIES) {
    const fdsBefore = fdCount()
    const closed = closes.length
    const run = await runPeer(mode, path)
    const r = run.report
    t.ok(run.status === 0 && r?.reply === 'accepted' && r.warm_up, `${mode}: an honest start ${run.stdout}${run.stderr}`)
    t.equal(r?.closed, true, `${mode}: the server closed the connection`)
    t.equal(closes.length, closed + 1, `${mode}: one onClose`)
    t.equal(closes[closed]?.code, 'EPROTO', `${mode}: the close reports EPROTO (${closes[closed]?.code})`)
    await lanesGone(t, `${mode}: no lane, handshake or mapping left`)
    await fdsBack(t, fdsBefore, mode)
  }
  await honestEcho(t, path)
  await server.close()
  await lanesGone(t)
})

t.test('a peer that never returns a chunk gets the rest over the socket', async (t) => {
  const { server, path, closes } = await shmEcho()
  const fdsBefore = fdCount()
  const bytes = 24 << 20 // three times a direction's chunks
  const run = await runPeer('never-release', path, bytes)
  const r = run.report
  t.equal(r?.reply, 'accepted', `accepted ${run.stdout}${run.stderr}`)
  t.equal(r?.fault, '', 'the server broke no rule')
  t.equal(r?.echoed, bytes, 'every byte came back')
  t.equal(r?.intact, true, 'in order and intact')
  t.ok(r?.held_chunks > 0 && r.held_chunks <= 512, `the peer held the server's chunks (${r?.held_chunks})`)
  t.ok(r?.spilled_frames > 0, `the rest came as inline frames (${r?.spilled_frames})`)
  t.equal(r?.closed, true)
  t.equal(closes.length, 1)
  await lanesGone(t)
  await fdsBack(t, fdsBefore, 'the lane')
  await honestEcho(t, path)
  await server.close()
  await lanesGone(t)
})

t.test('descriptors rewritten after they are published', async (t) => {
  const { server, path, closes } = await shmEcho()
  const fdsBefore = fdCount()
  for (let i = 0; i < 3; i++) {
    const run = await runPeer('toctou', path)
    const r = run.report
    t.ok(run.status === 0 && r?.reply === 'accepted' && r.warm_up, `an honest start ${run.stdout}${run.stderr}`)
    t.equal(r?.closed, true, 'the connection ended')
    const err = closes[i]
    t.ok(err === undefined || err?.code === 'EPROTO', `closed cleanly or with EPROTO (${err?.code})`)
  }
  await lanesGone(t)
  await fdsBack(t, fdsBefore, 'the lane')
  await honestEcho(t, path)
  await server.close()
  await lanesGone(t)
})
