#!/usr/bin/env node
// Runs the project's node-gyp against the headers of the Node that runs this script, when that
// Node ships them (as Debian's and nvm's do), so a build never needs to download headers.
'use strict'
const { existsSync } = require('node:fs')
const { resolve, join } = require('node:path')
const { spawnSync } = require('node:child_process')

const prefix = resolve(process.execPath, '..', '..')
const args = process.argv.slice(2)
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`)
}
const gyp = require.resolve('node-gyp/bin/node-gyp.js')
const { status } = spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit' })
process.exit(status ?? 1)
