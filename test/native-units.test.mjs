// The native units that need no Node (the connection lifetime rule, the link buffer, the slab
// pool), tested by C++ programs that scripts/native-tests.sh builds with g++ (warnings as errors,
// ASan/UBSan) and runs.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('../scripts/native-tests.sh', import.meta.url))
const run = spawnSync('bash', [script], { encoding: 'utf8' })
t.equal(run.status, 0, `native tests pass\n${run.stdout}${run.stderr}`)
t.match(run.stdout, /conn_life_test: ok/, 'the lifetime rule')
t.match(run.stdout, /link_buffer_test: ok/, 'the link buffer and the slab pool')
