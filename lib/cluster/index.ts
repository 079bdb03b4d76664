// ringpoll/cluster: every core, and the container's real share of them.
export { availableCores, type CoresOptions } from './cores.js'
export { startWorkers, WorkerPool } from './pool.js'
export type { StartOptions, PoolCloseOptions, PoolStats, PoolTotals, WorkerStats, WorkerExit, WorkerEvent } from './pool.js'
