// Preloaded (NODE_OPTIONS=--require) into every process of a Node test run, children included:
// require('net') and require('node:net') are answered by ringpoll/net. ringpoll's own modules
// still get the builtin (ringpoll/net re-exports isIP from it), and so do the test harness's own
// modules (test/common sets node:net's autoSelectFamily defaults) and Node's internal code, which
// never goes through Module._load.
'use strict'
const Module = require('node:module')
const path = require('node:path')

const dist = path.join(__dirname, '..', '..', 'dist')
const ringpollNet = require(path.join(dist, 'net', 'index.js'))
const load = Module._load
const keepBuiltin = (file) => file.startsWith(dist + path.sep) || file.includes(`${path.sep}test${path.sep}common${path.sep}`)

Module._load = function (request, parent, isMain) {
  if ((request === 'net' || request === 'node:net') && !keepBuiltin(parent?.filename ?? '')) {
    return ringpollNet
  }
  return load.call(this, request, parent, isMain)
}

// ES modules: `import net from 'node:net'` is resolved by the hooks in esm-hooks.mjs.
Module.register(require('node:url').pathToFileURL(path.join(__dirname, 'esm-hooks.mjs')))
