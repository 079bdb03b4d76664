// availableCores(): the CPUs this process can really use. os.availableParallelism() counts the
// CPUs of the affinity mask (sched_getaffinity) but, on Node 20, not the cgroup's CPU quota or
// cpuset, so inside a container it can count the whole host.
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { codeError } from '../net/errors.js'

export interface CoresOptions {
  /** Where the cgroup file systems are mounted (default '/sys/fs/cgroup'). */
  cgroupRoot?: string
  /** The process's cgroup membership file (default '/proc/self/cgroup'). */
  procCgroup?: string
}

/** An integer ≥ 1: the tightest of the affinity mask, the cgroup cpuset and the cgroup CPU quota. */
export function availableCores(options: CoresOptions = {}): number {
  if (typeof options !== 'object' || options === null) {
    throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be of type object')
  }
  const cgroupRoot = stringOption(options.cgroupRoot, 'cgroupRoot', '/sys/fs/cgroup')
  const procCgroup = stringOption(options.procCgroup, 'procCgroup', '/proc/self/cgroup')
  return Math.max(1, Math.min(availableParallelism(), cgroupLimit(cgroupRoot, procCgroup)))
}

function stringOption(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "options.${name}" property must be of type string`)
  return value
}

/**
 * The CPUs the cgroups allow (Infinity when nothing limits them): the CPU quota rounded up and the
 * cpuset's size, at the process's own cgroup and every ancestor, the tightest of all. A file that
 * is missing, unreadable or malformed sets no limit.
 */
export function cgroupLimit(cgroupRoot: string, procCgroup: string): number {
  let limit = Infinity
  for (const line of readText(procCgroup)?.split('\n') ?? []) {
    // "hierarchy-id:controllers:path"; v2 is "0::path", a v1 line names its controllers.
    const m = /^\d+:([^:]*):(\/.*)$/.exec(line)
    if (!m) continue
    const [, controllers, path] = m as unknown as [string, string, string]
    const names = controllers.split(',')
    for (const mount of controllers === '' ? [cgroupRoot] : v1Mounts(cgroupRoot, names)) {
      // A parent's quota limits its children; a cpuset is never wider than its parent's, so the
      // minimum over the ancestry is the nearest one that can be read.
      for (const dir of ancestry(mount, path)) {
        if (controllers === '') limit = Math.min(limit, quotaV2(dir), cpusetSize(dir, 'cpuset.cpus.effective'))
        if (names.includes('cpu')) limit = Math.min(limit, quotaV1(dir))
        if (names.includes('cpuset')) limit = Math.min(limit, cpusetSize(dir, 'cpuset.effective_cpus'), cpusetSize(dir, 'cpuset.cpus'))
      }
    }
  }
  return limit
}

/** A v1 hierarchy is mounted under its controllers' names ('cpu,cpuacct', often also 'cpu'). */
function v1Mounts(cgroupRoot: string, controllers: string[]): string[] {
  if (!controllers.includes('cpu') && !controllers.includes('cpuset')) return []
  const names = new Set([controllers.join(','), ...controllers.filter((c) => c === 'cpu' || c === 'cpuset')])
  return [...names].map((name) => join(cgroupRoot, name))
}

/**
 * The cgroup's directory under `root`, then each parent up to `root` itself. A path that climbs
 * out ('..': a cgroup outside this namespace's view) gives `root` alone.
 */
function ancestry(root: string, path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) return [root]
  const dirs: string[] = []
  for (let n = parts.length; n >= 0; n--) dirs.push(join(root, ...parts.slice(0, n)))
  return dirs
}

/** cgroup v2 cpu.max: "<quota> <period>" or "max <period>". */
function quotaV2(dir: string): number {
  const fields = readText(join(dir, 'cpu.max'))?.trim().split(/\s+/)
  if (fields === undefined || fields.length !== 2 || fields[0] === 'max') return Infinity
  return cpus(fields[0]!, fields[1]!)
}

/** cgroup v1: cpu.cfs_quota_us (-1 for none) over cpu.cfs_period_us. */
function quotaV1(dir: string): number {
  const quota = readText(join(dir, 'cpu.cfs_quota_us'))?.trim()
  const period = readText(join(dir, 'cpu.cfs_period_us'))?.trim()
  return quota === undefined || period === undefined ? Infinity : cpus(quota, period)
}

/** A quota over a period, in whole CPUs rounded up; Infinity unless both are positive integers. */
function cpus(quota: string, period: string): number {
  if (!/^\d+$/.test(quota) || !/^\d+$/.test(period)) return Infinity
  const q = Number(quota)
  const p = Number(period)
  return q > 0 && p > 0 ? Math.ceil(q / p) : Infinity
}

/** The number of CPUs in a cpuset list such as "0-3,8,10-11"; Infinity when empty or malformed. */
function cpusetSize(dir: string, file: string): number {
  const text = readText(join(dir, file))?.trim()
  if (!text) return Infinity
  let count = 0
  for (const range of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(range)
    if (!m) return Infinity
    const first = Number(m[1])
    const last = m[2] === undefined ? first : Number(m[2])
    if (last < first) return Infinity
    count += last - first + 1
  }
  return count
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}
