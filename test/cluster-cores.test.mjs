// availableCores() and the cgroup reading under it, against fake cgroup trees in a temp dir: the
// CPU quota (v2 cpu.max, v1 cfs), nested cgroups, cpusets, and files that are garbage or missing.
import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { availableCores } from 'ringpoll/cluster'
import { cgroupLimit } from '../dist/cluster/cores.js'

/** A fake tree: { 'path/file': contents }, plus the /proc/self/cgroup text; returns both paths. */
function tree(t, files, procCgroup) {
  const root = mkdtempSync(join(tmpdir(), 'ringpoll-cgroup-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, 'fs', path)), { recursive: true })
    if (text === null) mkdirSync(join(root, 'fs', path))
    else writeFileSync(join(root, 'fs', path), text)
  }
  writeFileSync(join(root, 'cgroup'), procCgroup)
  return { cgroupRoot: join(root, 'fs'), procCgroup: join(root, 'cgroup') }
}

const limit = ({ cgroupRoot, procCgroup }) => cgroupLimit(cgroupRoot, procCgroup)

t.test('cgroup v2: cpu.max at the own cgroup, rounded up', async (t) => {
  const paths = tree(t, { 'cpu.max': 'max 100000\n', 'app/cpu.max': '350000 100000\n' }, '0::/app\n')
  t.equal(limit(paths), 4, '3.5 CPUs of quota: 4 workers')
  const half = tree(t, { 'app/cpu.max': '50000 100000\n' }, '0::/app\n')
  t.equal(limit(half), 1, 'half a CPU still counts as one')
  t.equal(availableCores(half), 1, 'availableCores() takes the quota')
})

t.test('cgroup v2: "max" everywhere is no limit', async (t) => {
  const paths = tree(t, { 'cpu.max': 'max 100000\n', 'app/cpu.max': 'max 100000\n' }, '0::/app\n')
  t.equal(limit(paths), Infinity)
  t.equal(availableCores(paths), availableParallelism(), 'availableParallelism() decides')
})

t.test('nested cgroups: the tightest ancestor wins', async (t) => {
  const files = { 'cpu.max': 'max 100000\n', 'a/cpu.max': '200000 100000\n', 'a/b/cpu.max': '800000 100000\n', 'a/b/c/cpu.max': 'max 100000\n' }
  t.equal(limit(tree(t, files, '0::/a/b/c\n')), 2, 'the parent two levels up limits to 2')
  t.equal(limit(tree(t, { ...files, 'a/b/c/cpu.max': '100000 100000\n' }, '0::/a/b/c\n')), 1, 'the own cgroup is tighter')
  t.equal(limit(tree(t, files, '0::/a/missing/deeper\n')), 2, 'directories that do not exist are skipped on the way up')
  t.equal(limit(tree(t, { 'cpu.max': '300000 100000\n', 'x/cpu.max': '100000 100000\n' }, '0::/../x\n')), 3, 'a path outside the namespace reads the root only')
})

t.test('cgroup v1: cfs quota over period', async (t) => {
  const proc = '12:cpuset:/docker/x\n4:cpu,cpuacct:/docker/x\n1:name=systemd:/docker/x\n'
  const files = { 'cpu,cpuacct/docker/x/cpu.cfs_quota_us': '250000\n', 'cpu,cpuacct/docker/x/cpu.cfs_period_us': '100000\n' }
  t.equal(limit(tree(t, files, proc)), 3)
  t.equal(limit(tree(t, { 'cpu/docker/cpu.cfs_quota_us': '100000\n', 'cpu/docker/cpu.cfs_period_us': '100000\n' }, proc)), 1, "the 'cpu' mount name and a parent's quota")
  t.equal(limit(tree(t, { ...files, 'cpu,cpuacct/docker/x/cpu.cfs_quota_us': '-1\n' }, proc)), Infinity, '-1 is no quota')
})

t.test('cpusets (v2 and v1)', async (t) => {
  t.equal(limit(tree(t, { 'app/cpuset.cpus.effective': '0-2,5\n' }, '0::/app\n')), 4, 'v2: "0-2,5" is 4 CPUs')
  t.equal(limit(tree(t, { 'cpuset/docker/x/cpuset.effective_cpus': '3\n' }, '7:cpuset:/docker/x\n')), 1, 'v1: one CPU')
  const both = tree(t, { 'app/cpuset.cpus.effective': '0-7\n', 'app/cpu.max': '300000 100000\n' }, '0::/app\n')
  t.equal(limit(both), 3, 'quota and cpuset: the tighter of the two')
})

t.test('garbage, missing and unreadable files set no limit and never throw', async (t) => {
  const garbage = ['lots 100000', '0 100000', '100000 0', '-5 100000', '100000', '1e5 100000', '', '\0\0\0', '100000 100000 100000']
  for (const text of garbage) {
    t.equal(limit(tree(t, { 'app/cpu.max': text }, '0::/app\n')), Infinity, `cpu.max ${JSON.stringify(text)}`)
  }
  for (const text of ['a-b', '3-1', '0-', ',', '', '1,,2']) {
    t.equal(limit(tree(t, { 'app/cpuset.cpus.effective': text }, '0::/app\n')), Infinity, `cpuset ${JSON.stringify(text)}`)
  }
  const v1 = { 'cpu/x/cpu.cfs_quota_us': 'abc', 'cpu/x/cpu.cfs_period_us': '100000' }
  t.equal(limit(tree(t, v1, '3:cpu:/x\n')), Infinity, 'a v1 quota that is not a number')
  t.equal(limit(tree(t, { 'cpu/x/cpu.cfs_quota_us': '100000' }, '3:cpu:/x\n')), Infinity, 'a v1 quota without a period')
  t.equal(limit(tree(t, { 'app/cpu.max': null }, '0::/app\n')), Infinity, 'a directory where cpu.max should be')
  for (const proc of ['', 'hello\n', '0::relative\n', ':::\n', '0:cpu\n']) {
    t.equal(limit(tree(t, { 'cpu.max': '100000 100000' }, proc)), Infinity, `/proc/self/cgroup ${JSON.stringify(proc)}`)
  }
  t.equal(cgroupLimit('/nonexistent/cgroup', '/nonexistent/proc-cgroup'), Infinity, 'nothing there at all')
  const cores = availableCores({ cgroupRoot: '/nonexistent/cgroup', procCgroup: '/nonexistent/proc-cgroup' })
  t.equal(cores, availableParallelism())
})

t.test('on this machine: an integer from 1 to availableParallelism()', async (t) => {
  const cores = availableCores()
  t.ok(Number.isInteger(cores) && cores >= 1 && cores <= availableParallelism(), `availableCores() = ${cores}`)
})

t.test('bad options', async (t) => {
  t.throws(() => availableCores(null), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => availableCores('x'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => availableCores({ cgroupRoot: 5 }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => availableCores({ procCgroup: {} }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
})
