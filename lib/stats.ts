import { binding, type NativeStats } from './native.js'
import { reactor } from './reactor.js'

export interface Stats extends NativeStats {
  /** Views that spanned chunks and were answered with a copy. */
  spanCopies: number
}

/** Counters of this thread's reactor. */
export function stats(): Stats {
  return { ...binding.stats(), spanCopies: reactor().spanCopies }
}
