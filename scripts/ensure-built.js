#!/usr/bin/env node
// Before the tests: build the addon and the TypeScript output if either is missing or older than
// its sources, so that `npm test` always tests the code in the tree.
'use strict'
const { statSync, readdirSync, existsSync } = require('node:fs')
const { join } = require('node:path')
const { execFileSync } = require('node:child_process')

const root = join(__dirname, '..')
const newest = (dir, filter) =>
  Math.max(0, ...readdirSync(join(root, dir), { recursive: true })
    .filter((f) => filter.test(f))
    .map((f) => statSync(join(root, dir, f)).mtimeMs))
const age = (file) => (existsSync(join(root, file)) ? statSync(join(root, file)).mtimeMs : -1)
const run = (...args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' })

const nativeSources = Math.max(newest('native', /\.(cc|h|json)$/), age('binding.gyp'))
if (age('build/Release/ringpoll.node') < nativeSources) run('scripts/node-gyp.js', 'rebuild', '-j', '2')
if (age('dist/index.js') < newest('lib', /\.m?ts$/)) run(join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json')
