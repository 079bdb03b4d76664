// The C programs in bench/reference/, compiled on first use into bench/.build/ (gitignored) with
// warnings as errors, so every run measures the source as it is.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { benchPath } from './processes.mjs'

const built = new Map()

/** The path of the compiled reference program `name` (bench/reference/<name>.c). */
export function reference(name) {
  if (!built.has(name)) {
    mkdirSync(benchPath('.build'), { recursive: true })
    const out = benchPath(`.build/${name}`)
    execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', out, benchPath(`reference/${name}.c`)], { stdio: 'inherit' })
    built.set(name, out)
  }
  return built.get(name)
}
