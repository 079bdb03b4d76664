// A load named as on the command line: acN or wrkN (autocannon or wrk, N connections), with pM for
// pipelining M (ac1000p10), and the function that drives it.
import { loadAutocannon } from './autocannon.mjs'
import { hasWrk, loadWrk } from './wrk.mjs'

/**
 * { name, drive, connections, pipelining } for a load's name; throws on any other name, and on a
 * wrk load where wrk is not installed (before anything has run, not in the middle of a bench).
 */
export function parseLoad(name) {
  const m = /^(ac|wrk)(\d+)(?:p(\d+))?$/.exec(name)
  if (!m) throw new Error(`${name} is not a load: acN or wrkN, with pM for pipelining M (ac1000p10)`)
  if (m[1] === 'wrk' && !hasWrk) throw new Error(`${name}: wrk is not installed (apt-get install wrk)`)
  return { name, drive: m[1] === 'wrk' ? loadWrk : loadAutocannon, connections: Number(m[2]), pipelining: Number(m[3] ?? 1) }
}
