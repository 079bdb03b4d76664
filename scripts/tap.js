#!/usr/bin/env node
// Runs tap with the given arguments and ends its output with a plain `N passed, N failed` line,
// which CI reads (tap's own summary is `# { total: N, pass: N }`).
'use strict'
const { spawn } = require('node:child_process')
const { join } = require('node:path')

const tap = join(__dirname, '..', 'node_modules', '.bin', 'tap')
const child = spawn(tap, process.argv.slice(2), {
  stdio: ['inherit', 'pipe', 'inherit'],
})
let tail = ''
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  tail = (tail + chunk.toString()).slice(-4096)
})
child.on('close', (code) => {
  const summary = /# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?/.exec(tail)
  if (summary) {
    const failed = summary[3] ? Number(summary[3]) : Number(summary[1]) - Number(summary[2])
    console.log(`${summary[2]} passed, ${failed} failed`)
  }
  process.exit(code ?? 1)
})
