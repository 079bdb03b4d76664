// A load named as on the command line: acN or wrkN (autocannon or wrk, N connections), with pM for
// pipelining M (ac1000p10), and the function that drives it.
import { loadAutocannon } from './autocannon.mjs'
import { loadWrk } from './wrk.mjs'

/** { name, drive, connections, pipelining } for a load's name; throws on any other name. */
export function parseLoad(name) {
  const m = /^(ac|wrk)(\d+)(?:p(\d+))?$/.exec(name)
  if (!m) throw new Error(`${name} is not a load: acN or wrkN, with pM for pipelining M (ac1000p10)`)
  return { name, drive: m[1] === 'wrk' ? loadWrk : loadAutocannon, connections: Number(m[2]), pipelining: Number(m[3] ?? 1) }
}
