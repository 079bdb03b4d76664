// Bad handshakes from a peer that is not trusted (test/native/shm_peer.cc): a Hello without its
// memfd or with two, with a pipe or a regular file instead, unsealed or not sealed against
// shrinking, smaller than it says, with a wrong magic, version or geometry, or cut short before a
// FIN. None of them gets a lane: the acceptor refuses (counted in stats().shmRefused) or closes,
// maps nothing, keeps no fd, and goes on serving an honest peer. And the seals are what makes a
// mapping safe: on an accepted lane the peer can neither shrink nor grow the region.
import t from 'tap'
import { stats } from 'ringpoll'
import { fdCount } from './helpers/util.mjs'
import { lanesGone, shmEcho } from './helpers/shm.mjs'
import { buildPeer, fdsBack, honestEcho, runPeer } from './helpers/shm-peer.mjs'

const built = buildPeer()
t.equal(built, null, `the peer program builds ${built ?? ''}`)

// Every bad offer is refused: closed without an answer, or answered "declined" and then plain, and
// counted in stats().shmRefused. A first byte that is not the magic's is a plain client (no shm at
// all): the echo server sends the Hello back. A Hello split in two sends may be taken or refused.
const REFUSED = [
  'hello-no-fd',
  'hello-two-fds',
  'hello-many-fds',
  'hello-pipe',
  'hello-file',
  'hello-unsealed',
  'hello-no-shrink-seal',
  'hello-small-memfd',
  'hello-size-mismatch',
  'hello-bad-version',
  'hello-chunks-not-64',
  'hello-chunks-not-pow2',
  'hello-too-few-chunks',
  'hello-too-many-chunks',
  'hello-descs-not-pow2',
  'hello-truncated',
]

async function offer(t, path, mode, transports) {
  const fdsBefore = fdCount()
  const refusedBefore = stats().shmRefused
  const lanesSeen = transports.filter((x) => x === 'shm').length
  const run = await runPeer(mode, path)
  const r = run.report
  t.equal(run.status, 0, `${mode}: the peer ran ${run.stdout}${run.stderr}`)
  t.equal(r?.closed, true, `${mode}: the connection ends`)
  await lanesGone(t, `${mode}: no lane, handshake or mapping left`)
  await fdsBack(t, fdsBefore, mode)
  return { r, refused: stats().shmRefused - refusedBefore, lanes: transports.filter((x) => x === 'shm').length - lanesSeen }
}

t.test('bad Hellos get no lane, and the server goes on serving', async (t) => {
  const { server, path, transports } = await shmEcho()
  await honestEcho(t, path, 1 << 16) // the peer program and the server agree
  await lanesGone(t, 'the first honest lane is gone')
  for (const mode of REFUSED) {
    const { r, refused, lanes } = await offer(t, path, mode, transports)
    t.ok(r?.reply === 'closed' || r?.reply === 'refused', `${mode}: refused or closed, never accepted (${r?.reply})`)
    if (r?.reply === 'refused') t.equal(r.plain_echo, true, `${mode}: refused, the connection goes on as a plain socket`)
    t.equal(lanes, 0, `${mode}: no shm connection`)
    t.equal(refused, 1, `${mode}: counted in shmRefused`)
  }
  {
    const { r, refused, lanes } = await offer(t, path, 'hello-bad-magic', transports)
    t.equal(r?.reply, 'echoed', 'a wrong magic is a plain client: its bytes are echoed')
    t.equal(lanes, 0, 'no shm connection')
    t.equal(refused, 0, 'not a refused offer')
    t.equal(transports.at(-1), 'unix')
  }
  {
    const { r, lanes } = await offer(t, path, 'hello-split', transports)
    t.ok(['accepted', 'closed'].includes(r?.reply), `a Hello in two sends is taken or refused (${r?.reply})`)
    t.equal(lanes, r?.reply === 'accepted' ? 1 : 0)
  }
  await honestEcho(t, path, 1 << 20)
  await server.close()
  await lanesGone(t, 'the last honest lane is gone')
})

t.test('a sealed region can be neither shrunk nor grown by the peer', async (t) => {
  const { server, path } = await shmEcho()
  const run = await runPeer('truncate-after', path)
  const r = run.report
  t.equal(r?.reply, 'accepted', `the lane is accepted ${run.stdout}${run.stderr}`)
  t.equal(r?.shrink_errno, 'EPERM', 'ftruncate to shrink fails with EPERM (F_SEAL_SHRINK)')
  t.equal(r?.grow_errno, 'EPERM', 'ftruncate to grow fails with EPERM (F_SEAL_GROW)')
  t.equal(r?.warm_up, true, 'the lane still works')
  t.equal(r?.closed, true)
  await server.close()
  await lanesGone(t)
})
