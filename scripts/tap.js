#!/usr/bin/env node
// Runs the tap suite once per backend (RINGPOLL_BACKEND=epoll, then io_uring; RINGPOLL_BACKENDS
// narrows the list) with the given arguments, and ends with a plain `N passed, N failed` line,
// which CI reads (tap's own summary is `# { total: N, pass: N }`).
'use strict'
const { spawn } = require('node:child_process')
const { join } = require('node:path')

const tap = join(__dirname, '..', 'node_modules', '.bin', 'tap')
const backends = (process.env.RINGPOLL_BACKENDS || 'epoll io_uring').split(/[\s,]+/).filter(Boolean)

function run(backend) {
  return new Promise((resolve) => {
    console.log(`# ---- backend: ${backend}`)
    const child = spawn(tap, process.argv.slice(2), {
      stdio: ['inherit', 'pipe', 'inherit'],
      env: { ...process.env, RINGPOLL_BACKEND: backend },
    })
    let tail = ''
    let line = '' // the output's last, unfinished line
    let filesFailed = 0 // top-level `not ok N - test/file` lines: a file that crashed is in no count of tap's summary
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      tail = (tail + chunk.toString()).slice(-4096)
      const lines = (line + chunk.toString()).split('\n')
      line = lines.pop()
      filesFailed += lines.filter((l) => /^not ok \d+ - /.test(l)).length
    })
    child.on('close', (code) => {
      // tap's last line, e.g. `# { total: 10, pass: 7, fail: 1, todo: 1, skip: 1 }`: what is neither
      // passed nor skipped (nor a todo) failed.
      const summary = /# \{ (total: \d+[^}]*) \}/.exec(tail)
      const count = {}
      for (const [, key, n] of (summary?.[1] ?? '').matchAll(/(\w+): (\d+)/g)) count[key] = Number(n)
      const passed = count.pass ?? 0
      const tests = summary ? (count.fail ?? count.total - passed - (count.skip ?? 0) - (count.todo ?? 0)) : 0
      const failed = Math.max(tests, filesFailed)
      console.log(`# ${backend}: ${passed} passed, ${failed} failed`)
      resolve({ passed, failed, code: code ?? 1 })
    })
  })
}

;(async () => {
  let passed = 0
  let failed = 0
  let code = 0
  for (const backend of backends) {
    const r = await run(backend)
    passed += r.passed
    failed += r.failed
    if (r.code !== 0) code = r.code
  }
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(code)
})()
