// The messages between a pool (the parent thread) and each of its workers.
import type { Stats } from '../stats.js'

/** What a worker is started with. */
export interface Boot {
  /** The module's URL, already resolved by the pool. */
  href: string
  data: unknown
}

export type ToWorker = { type: 'stats'; id: number } | { type: 'close' }

export type FromWorker =
  | { type: 'started' }
  | { type: 'stats'; id: number; stats: Stats }
  | { type: 'closed'; error?: unknown }
