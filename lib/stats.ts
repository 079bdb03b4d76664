import { binding, type NativeStats } from './native.js'
import { reactor } from './reactor.js'

export interface Stats extends NativeStats {
  /** Views that spanned chunks and were answered with a copy. */
  spanCopies: number
}

/** Counters of this thread's reactor (created on first use). */
export function stats(): Stats {
  const { spanCopies } = reactor()
  return { ...binding.stats(), spanCopies }
}
