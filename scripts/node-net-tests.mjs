#!/usr/bin/env node
// Runs Node 20's own test-net-* files with require('net') / import 'node:net' answered by
// ringpoll/net, once per backend, and prints a table and `N passed, N failed`.
//
//   npm run test:node-net [-- --only test-net-pingpong.js,... --timeout 20000 --jobs 2]
//
// The test files come from Debian's source package of nodejs (the v20 line), fetched once with a
// private apt configuration (the machine's own apt is not touched) into .cache/node-tests/. Each
// selected file runs first on node:net: a file that fails there is reported and not counted. Then
// it runs under ringpoll/net with RINGPOLL_BACKEND=epoll and io_uring. A file that does not exit
// within the timeout is killed and counts as a failure (a hang).
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { EXCLUDED, SELECTED } from './node-net-tests/selection.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cache = join(root, '.cache', 'node-tests')
const preload = join(root, 'scripts', 'node-net-tests', 'preload.cjs')

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : process.argv[i + 1]
}
const timeoutMs = Number(option('timeout', 20000))
const jobs = Math.max(1, Number(option('jobs', Math.min(2, availableParallelism()))))
const backends = option('backends', process.env.RINGPOLL_BACKENDS ?? 'epoll io_uring').split(/[\s,]+/).filter(Boolean)
const only = option('only', '').split(',').filter(Boolean)
const verbose = process.argv.includes('--verbose')

/** The Node source tree holding test/, fetched on first use. */
function nodeTree() {
  const found = existsSync(cache) ? readdirSync(cache).find((d) => d.startsWith('node-v20.')) : undefined
  if (found !== undefined) return join(cache, found)
  const d = mkdtempSync(join(tmpdir(), 'ringpoll-node-src-'))
  try {
    mkdirSync(join(d, 'lists', 'partial'), { recursive: true })
    mkdirSync(join(d, 'src'))
    const sources = readFileSync('/etc/apt/sources.list.d/debian.sources', 'utf8')
    const uri = /^URIs:\s*(\S+)/m.exec(sources)?.[1] ?? 'http://deb.debian.org/debian'
    writeFileSync(join(d, 'sources.list'), `deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${uri} trixie main\n`)
    const apt = ['-o', `Dir::Etc::sourcelist=${join(d, 'sources.list')}`, '-o', 'Dir::Etc::sourceparts=-', '-o', `Dir::State::Lists=${join(d, 'lists')}`]
    console.log('# fetching the nodejs source package (about 20 MB) ...')
    execFileSync('apt-get', [...apt, 'update', '-qq'], { stdio: 'inherit' })
    // The .dsc may be missing from the mirror while the .orig tarball (the part needed) arrives.
    try {
      execFileSync('apt-get', [...apt, 'source', '--download-only', '-qq', 'nodejs'], { cwd: join(d, 'src'), stdio: 'inherit' })
    } catch {}
    const tarball = readdirSync(join(d, 'src')).find((f) => /^nodejs_20\..*\+dfsg\.orig\.tar\.xz$/.test(f))
    if (tarball === undefined) throw new Error('no nodejs_20.*.orig.tar.xz was fetched')
    mkdirSync(cache, { recursive: true })
    const parts = ['*/test/common/*', '*/test/fixtures/*', '*/test/parallel/test-net-*', '*/test/sequential/test-net-*']
    execFileSync('tar', ['xJf', join(d, 'src', tarball), '-C', d, '--wildcards', ...parts], { stdio: 'inherit' })
    const tree = readdirSync(d).find((f) => f.startsWith('node-v20.'))
    renameSync(join(d, tree), join(cache, tree))
    return join(cache, tree)
  } finally {
    rmSync(d, { recursive: true, force: true })
  }
}

/** The node flags a test file asks for in its `// Flags:` line. */
function flagsOf(file) {
  const m = /^\/\/ Flags:(.*)$/m.exec(readFileSync(file, 'utf8'))
  return m ? m[1].trim().split(/\s+/) : []
}

/** Runs one file; resolves to { ok, hung, output }. */
function runFile(tree, rel, slot, backend) {
  const file = join(tree, 'test', rel)
  const env = { ...process.env, TEST_THREAD_ID: String(slot), TEST_PARALLEL: rel.startsWith('parallel/') ? '1' : '0' }
  delete env.NODE_OPTIONS
  if (backend !== undefined) {
    env.RINGPOLL_BACKEND = backend
    env.NODE_OPTIONS = `--require=${preload}`
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...flagsOf(file), file], { cwd: tree, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const keep = (chunk) => {
      output = (output + chunk).slice(-8192)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    let hung = false
    const timer = setTimeout(() => {
      hung = true
      try {
        process.kill(-child.pid, 'SIGKILL') // the test's process group: its children go too
      } catch {}
    }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ ok: code === 0 && !hung, hung, output: output + (signal ? `\n[${signal}]` : '') })
    })
  })
}

/** Runs `files` on `jobs` slots (files under sequential/ one at a time, after the others). */
async function runAll(tree, files, backend) {
  const results = new Map()
  const queue = files.filter((f) => f.startsWith('parallel/'))
  const worker = async (slot) => {
    for (let rel = queue.shift(); rel !== undefined; rel = queue.shift()) results.set(rel, await runFile(tree, rel, slot, backend))
  }
  await Promise.all(Array.from({ length: jobs }, (_, i) => worker(i)))
  for (const rel of files.filter((f) => f.startsWith('sequential/'))) results.set(rel, await runFile(tree, rel, 0, backend))
  return results
}

const tree = nodeTree()
const present = new Set(['parallel', 'sequential'].flatMap((dir) => readdirSync(join(tree, 'test', dir)).filter((f) => f.startsWith('test-net-')).map((f) => `${dir}/${f}`)))
for (const rel of present) if (!SELECTED.includes(rel) && !(rel in EXCLUDED)) console.log(`# not classified (neither selected nor excluded): ${rel}`)
const files = SELECTED.filter((rel) => present.has(rel) && (only.length === 0 || only.some((o) => rel.endsWith(o))))

const reference = await runAll(tree, files, undefined)
const counted = files.filter((rel) => reference.get(rel).ok)
const perBackend = {}
for (const backend of backends) perBackend[backend] = await runAll(tree, counted, backend)

const mark = (r) => (r === undefined ? '-' : r.ok ? 'pass' : r.hung ? 'HANG' : 'FAIL')
console.log(`${'file'.padEnd(64)} ${'node:net'.padEnd(9)}${backends.map((b) => b.padEnd(9)).join('')}`)
for (const rel of files) {
  const row = backends.map((b) => mark(perBackend[b].get(rel)).padEnd(9)).join('')
  console.log(`${rel.padEnd(64)} ${mark(reference.get(rel)).padEnd(9)}${row}`)
  if (verbose) for (const b of backends) if (perBackend[b].get(rel)?.ok === false) console.log(`--- ${rel} on ${b}:\n${perBackend[b].get(rel).output.trim()}\n---`)
}
const notCounted = files.length - counted.length
if (notCounted > 0) console.log(`# ${notCounted} file(s) fail on node:net here and are not counted`)
let passed = 0
let failed = 0
for (const backend of backends) {
  const ok = counted.filter((rel) => perBackend[backend].get(rel).ok).length
  const hung = counted.filter((rel) => perBackend[backend].get(rel).hung).length
  console.log(`# ${backend}: ${ok} passed, ${counted.length - ok} failed (${hung} hung) of ${counted.length}`)
  passed += ok
  failed += counted.length - ok
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
