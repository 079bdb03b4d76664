// The hostile shm peer program (test/native/shm_peer.cc) for the tap tests: built once per test
// file, run with a mode against a path, its one-line JSON report parsed.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { fdCount, until } from './util.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
export const peerBinary = `${root}build-native-tests/shm_peer`

/** Builds the peer program (g++, -Werror, ASan/UBSan); null, or the build's output on failure. */
export function buildPeer() {
  const run = spawnSync('bash', [`${root}scripts/build-shm-peer.sh`], { encoding: 'utf8' })
  return run.status === 0 ? null : `${run.stdout}${run.stderr}`
}

/** Runs `shm_peer mode path [bytes]`; resolves with its exit status, its report and its output. */
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

/** The honest peer echoes `bytes` through the lane and closes: the server still serves. */
export async function honestEcho(t, path, bytes = 1 << 20) {
  const run = await runPeer('echo', path, bytes)
  const r = run.report
  t.ok(
    run.status === 0 && r?.reply === 'accepted' && r.intact && r.echoed === bytes && r.fault === '' && r.closed,
    `an honest peer's ${bytes} bytes come back intact through the lane ${JSON.stringify(r)}${run.stderr}`,
  )
  return r
}

/** Waits (bounded) until the process has no more fds than `before`, then asserts it. */
export async function fdsBack(t, before, what) {
  await until(() => fdCount() <= before, `${what}: fds to close`)
  t.ok(fdCount() <= before, `${what}: no fd left (${before} before, ${fdCount()} after)`)
}
