// The reference programs in bench/reference/, compiled on first use into bench/.build/ (gitignored)
// with warnings as errors, so every run measures the source as it is: the C servers and client,
// and the Node floor addon (http_floor.cc, against Node's own headers).
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { benchPath } from './processes.mjs'

const built = new Map()

function compile(out, command, args) {
  if (!built.has(out)) {
    mkdirSync(benchPath('.build'), { recursive: true })
    execFileSync(command, args, { stdio: 'inherit' })
    built.set(out, out)
  }
  return out
}

/** The path of the compiled reference program `name` (bench/reference/<name>.c). */
export function reference(name) {
  const out = benchPath(`.build/${name}`)
  return compile(out, 'cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', out, benchPath(`reference/${name}.c`)])
}

// Node's headers (node_api.h, uv.h) next to the running node: <prefix>/include/node.
const nodeHeaders = join(dirname(dirname(process.execPath)), 'include', 'node')

/** The path of the compiled Node addon `name` (bench/reference/<name>.cc), Node-API plus libuv. */
export function referenceAddon(name) {
  const out = benchPath(`.build/${name}.node`)
  const flags = ['-O2', '-shared', '-fPIC', '-std=c++17', '-Wall', '-Wextra', '-Werror', '-DNAPI_VERSION=9', `-DNODE_GYP_MODULE_NAME=${name}`]
  return compile(out, 'g++', [...flags, `-I${nodeHeaders}`, '-o', out, benchPath(`reference/${name}.cc`)])
}
