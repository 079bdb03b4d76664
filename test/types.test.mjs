// The examples and the type tests in test/types compile under `tsc --strict` against the published
// .d.ts files (tsconfig.check.json): a type error in either, or a `@ts-expect-error` line that
// compiles, fails this test. The type tests show what the types allow and what they refuse.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const tsc = join(root, 'node_modules/.bin/tsc')


function compile(...args) {
  return new Promise((resolve) => {
    // Without NODE_OPTIONS: tap puts its loaders there (also into the env of every child it sees
    // spawned), and they break tsc 7's launcher, an ES module.
    execFile('env', ['-u', 'NODE_OPTIONS', tsc, ...args], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, output: stdout + stderr })
    })
  })
}

t.test('the check covers every example and every type test', async (t) => {
  const { code, output } = await compile('-p', 'tsconfig.check.json', '--listFilesOnly')
  t.equal(code, 0, 'tsc lists the files', { output })
  const listed = new Set(output.split('\n').map((line) => line.trim()))
  const expected = [
    ...readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.mjs')).map((f) => join(root, 'examples', f)),
    ...readdirSync(join(root, 'test/types')).map((f) => join(root, 'test/types', f)),
  ]
  t.ok(expected.length >= 6, 'examples and type tests exist')
  for (const file of expected) t.ok(listed.has(file), `${file.slice(root.length)} is checked`)
  // Against what is published, not against lib/.
  t.ok(listed.has(join(root, 'dist/index.d.ts')) && listed.has(join(root, 'dist/index.d.mts')), 'the .d.ts and .d.mts entries are used')
})

t.test('examples and type tests compile under --strict', async (t) => {
  const { code, output } = await compile('-p', 'tsconfig.check.json')
  t.equal(output, '', 'no diagnostics')
  t.equal(code, 0, 'tsc succeeds')
})

t.test('the same options report a type error in a JavaScript example', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringpoll-types-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'bad.mjs'), "/** @param {number} n */\nexport const twice = (n) => n * 2\ntwice('2')\n")
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: join(root, 'tsconfig.check.json'), compilerOptions: { types: [] }, include: ['bad.mjs'] }),
  )
  const { code, output } = await compile('-p', join(dir, 'tsconfig.json'))
  t.not(code, 0, 'tsc fails')
  t.match(output, /bad\.mjs\(3,7\): error TS2345/, 'on the wrong argument')
})
