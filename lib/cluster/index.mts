// The ESM entry of ringpoll/cluster: the same objects as the CommonJS one.
export { availableCores, startWorkers, WorkerPool } from './index.js'
export type { CoresOptions, StartOptions, PoolCloseOptions, PoolStats, PoolTotals, WorkerStats, WorkerExit, WorkerEvent } from './index.js'
