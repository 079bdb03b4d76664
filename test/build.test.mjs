// Both builds compile one source list: binding.gyp and CMakeLists.txt read native/sources.json,
// which names every .cc file in native/ and nothing else.
import t from 'tap'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const sources = JSON.parse(readFileSync(join(root, 'native/sources.json'), 'utf8'))
const ccFiles = readdirSync(join(root, 'native')).filter((f) => f.endsWith('.cc')).map((f) => `native/${f}`)

t.same([...sources].sort(), ccFiles.sort(), 'sources.json lists exactly the .cc files in native/')
for (const s of sources) t.ok(existsSync(join(root, s)), `${s} exists`)
t.match(readFileSync(join(root, 'binding.gyp'), 'utf8'), /require\('\.\/native\/sources\.json'\)/, 'binding.gyp reads the list')
t.match(readFileSync(join(root, 'CMakeLists.txt'), 'utf8'), /native\/sources\.json/, 'CMakeLists.txt reads the list')
t.match(readFileSync(join(root, 'CMakeLists.txt'), 'utf8'), /string\(JSON/, 'CMakeLists.txt parses it as JSON')
