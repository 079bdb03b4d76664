// What a server's start-up makes resident of the node binary, by the number of CommonJS files it
// loads: an idle node:http server on node:net after requiring N one-line files (a chain in a temp
// directory), then after loading ringpoll's modules (without serving on them), each also with
// --no-opt. A start-up that loads enough files makes V8 optimize node's path code (normalizeString,
// hot in the loader's resolution of each file), which touches TurboFan's code: the idle "+4.6 MB
// of the node binary" of docs/http-speed.md. Not part of `npm run bench`.
//
//   node bench/startup-files.mjs
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { table } from './lib/markdown.mjs'

// The child: load, listen, then print the node binary's resident MB and the RSS.
const child = `
const { readFileSync } = require('node:fs')
const load = process.argv[1]
if (load === 'ringpoll') { require('ringpoll/http'); require('ringpoll') } else if (load !== '') require(load)
require('node:http').createServer().listen(0, '127.0.0.1', () => setTimeout(() => {
  let node = 0, mapping = ''
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \\S+ \\S+ \\S+ \\S+\\s*(.*)$/.exec(line)
    if (m) mapping = m[1]
    else if (mapping === process.execPath && /^Rss:/.test(line)) node += Number(line.split(/\\s+/)[1]) / 1024
  }
  console.log(JSON.stringify({ node, rss: process.memoryUsage().rss / 2 ** 20, files: Object.keys(require.cache).length }))
  process.exit(0)
}, 300))`

function measure(load, flags = []) {
  return JSON.parse(execFileSync(process.execPath, [...flags, '-e', child, load], { cwd: import.meta.dirname, encoding: 'utf8' }))
}

const dir = mkdtempSync(join(tmpdir(), 'startup-files-'))
const rows = []
for (const n of [0, 5, 10, 15, 20, 25]) {
  for (let i = 1; i <= n; i++) writeFileSync(join(dir, `m${i}.js`), i < n ? `require('./m${i + 1}.js')\n` : '\n')
  for (const flags of [[], ['--no-opt']]) {
    const m = measure(n === 0 ? '' : join(dir, 'm1.js'), flags)
    rows.push([`${n} one-line files`, flags.join(' ') || '–', m.files, m.node.toFixed(1), m.rss.toFixed(1)])
  }
}
rmSync(dir, { recursive: true })
for (const flags of [[], ['--no-opt']]) {
  const m = measure('ringpoll', flags)
  rows.push(["ringpoll/http and ringpoll's modules", flags.join(' ') || '–', m.files, m.node.toFixed(1), m.rss.toFixed(1)])
}
console.log('idle node:http server on node:net, MB\n')
const right = (title) => ({ title, align: 'right' })
console.log(table([{ title: 'loaded first', align: 'left' }, { title: 'flags', align: 'left' }, right('files in require.cache'), right('node binary'), right('RSS')], rows))
