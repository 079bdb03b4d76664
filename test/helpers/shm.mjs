// Helpers of the shm lane's tests: the hostile peer program (test/native/shm_peer.cc), an shm echo
// server, and the check that a lane left nothing behind.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createServer, stats } from 'ringpoll'
import { gc } from './gc.mjs'
import { fdCount, until } from './util.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
export const peerBinary = `${root}build-native-tests/shm_peer`

/** Builds the peer program (g++, -Werror, ASan/UBSan); returns the build's output on failure. */
export function buildPeer() {
  const run = spawnSync('bash', [`${root}scripts/build-shm-peer.sh`], { encoding: 'utf8' })
  return run.status === 0 ? null : `${run.stdout}${run.stderr}`
}

/**
 * Runs `shm_peer mode path [bytes]` and resolves with its exit status and its JSON report.
 * The peer's sanitizers report on stderr, which is kept for the assertion messages.
 */
export function runPeer(mode, path, bytes) {
  return new Promise((resolve) => {
    const args = [mode, path, ...(bytes === undefined ? [] : [String(bytes)])]
    const child = spawn(peerBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('close', (status, signal) => {
      let report = null
      try {
        report = JSON.parse(out.trim().split('\n').pop())
      } catch {}
      resolve({ status, signal, report, stderr: err, stdout: out })
    })
  })
}

/** A ringpoll shm echo server at `path`; records each connection's transport and close error. */
export async function shmEchoServer(path, options = {}) {
  const transports = []
  const closes = []
  const server = createServer({
    onConnect(conn) {
      transports.push(conn.transport)
    },
    onData(conn) {
      const { reader } = conn
      conn.write(reader.next(reader.length))
      reader.release()
    },
    onClose(conn, err) {
      closes.push(err ?? null)
    },
    ...options,
  })
  await server.listen({ path, shm: true })
  return { server, transports, closes }
}

/**
 * Waits (bounded) until no lane is open and no byte of any region is mapped, collecting garbage
 * so that JS views of lane chunks are let go of, and until the fds are back to `fdsBefore`.
 */
export async function lanesGone(t, fdsBefore, what = 'the lane') {
  await until(() => stats().shmLanes === 0, `${what}: lanes to close`)
  await until(() => {
    gc()
    return stats().shmMappedBytes === 0
  }, `${what}: mappings to go`)
  const st = stats()
  t.equal(st.shmLanes, 0, `${what}: no lane open`)
  t.equal(st.shmMappedBytes, 0, `${what}: no region mapped`)
  if (fdsBefore !== undefined) {
    await until(() => fdCount() <= fdsBefore, `${what}: fds to close`)
    t.ok(fdCount() <= fdsBefore, `${what}: no fd left (${fdsBefore} before, ${fdCount()} after)`)
  }
}

/** The honest peer echoes `bytes` through the lane: the server still serves. */
export async function honestEcho(t, path, bytes = 1 << 20) {
  const run = await runPeer('echo', path, bytes)
  const r = run.report
  t.ok(
    run.status === 0 && r?.reply === 'accepted' && r.intact && r.echoed === bytes && r.fault === '' && r.closed,
    `an honest peer's ${bytes} bytes come back intact through the lane ${JSON.stringify(r)}${run.stderr}`,
  )
  return r
}
