// The peers that are not the project's own dependencies: Bun (the npm package `bun`, whose binary
// ships in a registry package) and uWS.js (the npm package `uwebsockets`, see README.md). They are
// installed on first use into bench/peers/ from its own lockfile, so `npm install` and CI never
// fetch them; a peer that cannot be installed or run is reported "not available".
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { benchPath } from './processes.mjs'

const dir = benchPath('peers')
let installed

/** Installs bench/peers/ once (npm ci, bounded); returns null, or why it could not. */
function install() {
  if (installed !== undefined) return installed
  installed = null
  if (existsSync(`${dir}/node_modules/.package-lock.json`)) return installed
  console.log('bench: installing the peers (bench/peers: npm ci)...')
  try {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 })
  } catch (err) {
    installed = `npm ci in bench/peers failed: ${String(err.stderr || err.message).trim().split('\n')[0]}`
  }
  return installed
}

/** The Bun binary, or { unavailable } when it is not installed or does not run here. */
export function bun() {
  const failed = install()
  if (failed) return { unavailable: failed }
  const binary = `${dir}/node_modules/bun/bin/bun.exe`
  try {
    const version = execFileSync(binary, ['--version'], { timeout: 10_000 }).toString().trim()
    return { binary, version }
  } catch (err) {
    return { unavailable: `bun does not run here: ${err.message.split('\n')[0]}` }
  }
}

/** Installs uWS.js when needed; the server script itself says when it cannot load it. */
export function uwsInstalled() {
  const failed = install()
  return failed ? { unavailable: failed } : {}
}
