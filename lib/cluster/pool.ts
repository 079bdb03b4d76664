// startWorkers(): worker threads that each run a module's start function on their own reactor.
// A worker that dies after its start is restarted with a backoff; close() stops the restarts,
// has each worker close what it started, and terminates those still busy at the timeout.
import { EventEmitter } from 'node:events'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { codeError } from '../net/errors.js'
import type { Stats } from '../stats.js'
import { availableCores } from './cores.js'
import type { Boot, FromWorker } from './protocol.js'

export interface StartOptions {
  /** Workers to run (default availableCores()). */
  count?: number
  /** Passed (structured-cloned) to each worker's start function. */
  workerData?: unknown
  /** ms before the first restart of a worker that died (default 100); doubles on each death in a row. */
  restartDelay?: number
  /** The backoff's ceiling in ms (default 10000); a worker that ran this long resets its backoff. */
  maxRestartDelay?: number
}

export interface PoolCloseOptions {
  /** ms to wait for each worker's close before terminating it (default: wait as long as it takes). */
  timeout?: number
}

/** 'exit': a worker ended outside close() (or a replacement failed to start); a restart follows. */
export interface WorkerExit {
  index: number
  threadId: number
  /** The worker's exit code. */
  code: number
  /** What it threw, if it ended with an uncaught error. */
  error?: unknown
}

/** 'restart': a replacement worker's start function resolved. 'terminate': close() gave up on a worker. */
export interface WorkerEvent {
  index: number
  threadId: number
}

export type WorkerStats = Stats & WorkerEvent
export type PoolTotals = Omit<Stats, 'backend'>

export interface PoolStats {
  /** The counters summed over the workers that answered. */
  total: PoolTotals
  workers: WorkerStats[]
}

// Every counter of Stats; the type makes the compiler name any that is missing or extra.
const TOTALS: Record<keyof PoolTotals, true> = {
  connections: true, listeners: true, slabs: true, slabsPeak: true, slabsFreed: true, chunks: true, chunksInUse: true, chunksReserved: true, uringBuffers: true,
  bytesRead: true, bytesWritten: true, readCalls: true, writeCalls: true, accepts: true, wakeups: true,
  dispatches: true, submits: true, spanCopies: true,
  shmLanes: true, shmHandshakes: true, shmSlabs: true, shmMappedBytes: true, shmRefused: true,
}

const WORKER_SCRIPT = join(__dirname, 'worker.js')
const MAX_MS = 2 ** 31 - 1
/** ms the workers that did start get to close when another fails at start. */
const FAILED_START_CLOSE = 1000

/** One place in the pool: the worker now filling it and its restart state. */
interface Slot {
  index: number
  worker?: Worker
  threadId: number
  /** Its start function resolved and it has not exited. */
  running: boolean
  startedAt: number
  /** Deaths in a row: the backoff's exponent. */
  deaths: number
  restart?: NodeJS.Timeout
  replies: Map<number, (stats?: Stats) => void>
  closed?: (error?: unknown) => void
}

export class WorkerPool extends EventEmitter {
  private readonly slots: Slot[]
  private stopped = false
  private started = false
  private closing: Promise<void> | undefined
  private nextRequest = 0

  /** @internal Use startWorkers(). */
  constructor(
    private readonly boot: Boot,
    count: number,
    private readonly restartDelay: number,
    private readonly maxRestartDelay: number,
  ) {
    super()
    this.slots = Array.from({ length: count }, (_, index) => ({ index, threadId: -1, running: false, startedAt: 0, deaths: 0, replies: new Map() }))
  }

  /** Workers whose start function has resolved and that are running now. */
  get size(): number {
    return this.slots.filter((s) => s.running).length
  }

  /**
   * @internal Starts every worker. On the first failure, closes those that started (terminating
   * them after FAILED_START_CLOSE ms) and the others at once, then rejects with it.
   */
  async _start(): Promise<void> {
    try {
      await Promise.all(this.slots.map((slot) => this.run(slot)))
      this.started = true
    } catch (err) {
      this.stop()
      // Closed rather than only terminated: a thread that ends with an io_uring accept still armed
      // leaves the kernel to drop its listener when it tears the ring down, a moment later.
      await Promise.all(this.slots.map((slot) => this.closeSlot(slot, FAILED_START_CLOSE)))
      throw err
    }
  }

  /** Each running worker's stats() and their sum. */
  async stats(): Promise<PoolStats> {
    const rows = (await Promise.all(this.slots.map((slot) => this.ask(slot)))).filter((r) => r !== undefined)
    const total = {} as Record<keyof PoolTotals, number>
    for (const key of Object.keys(TOTALS) as (keyof PoolTotals)[]) total[key] = rows.reduce((n, row) => n + row[key], 0)
    return { total, workers: rows }
  }

  /**
   * Stops restarting, asks each worker to close what its start function returned and waits for
   * that (past `timeout`, terminates it), then ends the workers. Rejects, once all have ended,
   * with the first error a worker's close() gave.
   */
  close(options: PoolCloseOptions = {}): Promise<void> {
    if (this.closing) return this.closing
    if (typeof options !== 'object' || options === null) {
      return Promise.reject(codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be of type object'))
    }
    let timeout: number | undefined
    try {
      timeout = options.timeout === undefined ? undefined : integer(options.timeout, 'options.timeout', 0, MAX_MS)
    } catch (err) {
      return Promise.reject(err)
    }
    this.stop()
    this.closing = Promise.all(this.slots.map((slot) => this.closeSlot(slot, timeout))).then((errors) => {
      const first = errors.find((e) => e !== undefined)
      if (first !== undefined) throw first
    })
    return this.closing
  }

  private stop(): void {
    this.stopped = true
    for (const slot of this.slots) clearTimeout(slot.restart)
  }

  /** Starts a worker in `slot`; resolves once its start function has resolved. */
  private run(slot: Slot): Promise<void> {
    return new Promise((resolveStart, rejectStart) => {
      const worker = new Worker(WORKER_SCRIPT, { workerData: this.boot })
      // worker.threadId reads -1 once the worker has exited.
      const threadId = worker.threadId
      slot.worker = worker
      slot.threadId = threadId
      let error: unknown
      worker.on('message', (message: FromWorker) => {
        if (message?.type === 'started') {
          slot.running = true
          slot.startedAt = Date.now()
          resolveStart()
        } else if (message?.type === 'stats') {
          slot.replies.get(message.id)?.(message.stats)
        } else if (message?.type === 'closed') {
          slot.closed?.(message.error)
        }
      })
      worker.on('error', (err) => (error ??= err))
      worker.on('exit', (code) => {
        const wasRunning = slot.running
        slot.running = false
        slot.worker = undefined
        for (const reply of slot.replies.values()) reply(undefined)
        slot.replies.clear()
        if (!wasRunning) {
          error ??= codeError(Error, 'ERR_WORKER_INIT_FAILED', `worker ${slot.index} exited with code ${code} before its start function resolved`)
          rejectStart(error)
        }
        if (!this.stopped && (wasRunning || this.started)) this.died(slot, threadId, code, error, wasRunning)
      })
    })
  }

  /** Schedules the slot's restart, then tells the listeners (which may throw). */
  private died(slot: Slot, threadId: number, code: number, error: unknown, wasRunning: boolean): void {
    const ranLong = wasRunning && Date.now() - slot.startedAt >= this.maxRestartDelay
    slot.deaths = ranLong ? 1 : slot.deaths + 1
    const delay = Math.min(this.maxRestartDelay, this.restartDelay * 2 ** (slot.deaths - 1))
    slot.restart = setTimeout(() => {
      slot.restart = undefined
      this.run(slot).then(
        () => this.emit('restart', { index: slot.index, threadId: slot.threadId } satisfies WorkerEvent),
        (err: unknown) => {
          // A worker that ran and failed has had its 'exit'; one that could not even be created
          // (the Worker constructor threw) is reported here, as Node reports a failed init: code 1.
          if (!this.stopped && slot.worker === undefined && slot.restart === undefined) this.died(slot, -1, 1, err, false)
        },
      )
    }, delay)
    this.emit('exit', { index: slot.index, threadId, code, ...(error === undefined ? {} : { error }) } satisfies WorkerExit)
  }

  private ask(slot: Slot): Promise<WorkerStats | undefined> {
    const worker = slot.worker
    if (!slot.running || worker === undefined) return Promise.resolve(undefined)
    const id = this.nextRequest++
    const { index, threadId } = slot
    return new Promise((resolveRow) => {
      slot.replies.set(id, (stats) => {
        slot.replies.delete(id)
        resolveRow(stats && { ...stats, index, threadId })
      })
      worker.postMessage({ type: 'stats', id })
    })
  }

  /** Closes one worker; resolves with the error its close() gave, if any. */
  private async closeSlot(slot: Slot, timeout: number | undefined): Promise<unknown> {
    const worker = slot.worker
    if (worker === undefined) return undefined
    const exited = new Promise<void>((resolveExit) => worker.once('exit', () => resolveExit()))
    let error: unknown
    if (slot.running) {
      const closed = new Promise<void>((resolveClose) => {
        slot.closed = (err) => {
          error = err
          resolveClose()
        }
      })
      let timer: NodeJS.Timeout | undefined
      const late = timeout === undefined ? undefined : new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeout)))
      worker.postMessage({ type: 'close' })
      const outcome = await Promise.race([closed, exited, ...(late ? [late] : [])])
      clearTimeout(timer)
      if (outcome === 'late') this.emit('terminate', { index: slot.index, threadId: slot.threadId } satisfies WorkerEvent)
    }
    await worker.terminate()
    await exited
    return error
  }
}

/** Starts `count` workers running `module`'s default export; resolves once all have started. */
export async function startWorkers(module: string | URL, options: StartOptions = {}): Promise<WorkerPool> {
  const href = moduleHref(module)
  if (typeof options !== 'object' || options === null) {
    throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be of type object')
  }
  const count = options.count === undefined ? availableCores() : integer(options.count, 'options.count', 1, 1024)
  const restartDelay = options.restartDelay === undefined ? 100 : integer(options.restartDelay, 'options.restartDelay', 0, MAX_MS)
  const maxRestartDelay = options.maxRestartDelay === undefined ? Math.max(10_000, restartDelay) : integer(options.maxRestartDelay, 'options.maxRestartDelay', restartDelay, MAX_MS)
  const pool = new WorkerPool({ href, data: options.workerData }, count, restartDelay, maxRestartDelay)
  await pool._start()
  return pool
}

/** A URL, a file: URL string, or a path (relative to the working directory). */
function moduleHref(module: unknown): string {
  if (module instanceof URL) return module.href
  if (typeof module !== 'string') {
    throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "module" argument must be of type string or an instance of URL')
  }
  return module.startsWith('file:') ? new URL(module).href : pathToFileURL(resolve(module)).href
}

function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be of type number`)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw codeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be an integer >= ${min} and <= ${max}. Received ${value}`)
  }
  return value
}
