// The JS half of the reactor: receives each batch of events from native code in one call and turns
// it into handler calls. One per thread, created on first use.
import { binding, type NativeConstants } from './native.js'
import { checkBackend } from './validate.js'

/** What the reactor calls on a listener (a Server). */
export interface Listening {
  _accept(id: number, transport: Transport): void
}

/** What carries a connection's bytes. */
export type Transport = 'tcp' | 'unix' | 'shm'
/** By the native TRANSPORT_* codes (0, 1, 2), which the ACCEPT and CONNECT records carry. */
const TRANSPORTS: readonly Transport[] = ['tcp', 'unix', 'shm']

/** What the reactor calls on a connection (a Connection); declared here so that the reactor
 * imports nothing of the modules that use it. */
export interface Attached {
  readonly reader: { _append(view: Buffer, offset: number, len: number): void }
  _data(): void
  _connected(transport: Transport): void
  _peerEnded(): void
  _drained(): void
  _closed(reason: number, errno: number, unsent: number): void
}

export class Reactor {
  readonly k: NativeConstants
  /** The tables the batch's ids index: connection slots, listener ids. */
  private readonly conns: (Attached | undefined)[] = []
  private readonly listeners: (Listening | undefined)[] = []
  /** Output position filled by binding.reserve: [chunk, offset]. */
  private readonly reservation = new Int32Array(2)
  private spanCopyCount = 0
  private readonly events: Int32Array
  private readonly chunkViews: (Buffer | undefined)[] = []

  constructor() {
    // RINGPOLL_BACKEND chooses what 'auto' means for the whole thread (the tests run the suite on
    // each backend this way).
    const preferred = process.env.RINGPOLL_BACKEND || 'auto'
    checkBackend(preferred, 'RINGPOLL_BACKEND')
    const { events, constants } = binding.init((count) => this.dispatch(count), preferred)
    this.events = events
    this.k = constants
  }

  /** Events for connection `id` go to `conn` until its close has been dispatched. */
  attach(id: number, conn: Attached): void {
    this.conns[id] = conn
  }

  /** ACCEPT events of listener `id` go to `listener` until detachListener(id). */
  attachListener(id: number, listener: Listening): void {
    this.listeners[id] = listener
  }

  detachListener(id: number): void {
    this.listeners[id] = undefined
  }

  /**
   * Reserves n bytes at the end of connection id's output (n at most one chunk); returns its
   * queued amount, or a negative number when memory ran out. The bytes are at reservedOffset()
   * in reservedChunk(), until the next reserve.
   */
  reserve(id: number, n: number): number {
    return binding.reserve(id, n, this.reservation)
  }

  reservedChunk(): Buffer {
    return this.chunkView(this.reservation[0]!)
  }

  reservedOffset(): number {
    return this.reservation[1]!
  }

  /** A reader answered a view that spanned chunks with a copy. */
  countSpanCopy(): void {
    this.spanCopyCount++
  }

  get spanCopies(): number {
    return this.spanCopyCount
  }

  /** A Buffer over one whole chunk of slab memory; made once per chunk. */
  chunkView(chunk: number): Buffer {
    const view = this.chunkViews[chunk]
    return view === undefined ? this.mapSlab(chunk) : view
  }

  private mapSlab(chunk: number): Buffer {
    const { CHUNKS_PER_SLAB, CHUNK_SIZE } = this.k
    const slab = Math.floor(chunk / CHUNKS_PER_SLAB)
    const memory = binding.getSlab(slab)
    for (let i = 0; i < CHUNKS_PER_SLAB; i++) {
      this.chunkViews[slab * CHUNKS_PER_SLAB + i] = Buffer.from(memory, i * CHUNK_SIZE, CHUNK_SIZE)
    }
    return this.chunkViews[chunk]!
  }

  /** The pool let go of a slab: drop the views, so that its memory can go too. No view of it is
   * in use (all its chunks were free); the next slab at that index is mapped afresh. */
  private forgetSlab(slab: number): void {
    const { CHUNKS_PER_SLAB } = this.k
    this.chunkViews.fill(undefined, slab * CHUNKS_PER_SLAB, (slab + 1) * CHUNKS_PER_SLAB)
  }

  private dispatch(count: number): void {
    const ev = this.events
    const { EVENT_INTS, ACCEPT, CONNECT, DATA, END, DRAIN, CLOSE, SLAB } = this.k
    const end = count * EVENT_INTS
    for (let i = 0; i < end; i += EVENT_INTS) {
      const type = ev[i]!
      const id = ev[i + 1]!
      if (type === ACCEPT) {
        const listener = this.listeners[ev[i + 2]!]
        // The server may have closed earlier in this batch.
        if (listener !== undefined) listener._accept(id, TRANSPORTS[ev[i + 3]!]!)
        else binding.close(id)
        continue
      }
      if (type === SLAB) {
        this.forgetSlab(ev[i + 2]!)
        continue
      }
      const conn = this.conns[id]
      if (conn === undefined) continue
      if (type === DATA) {
        conn.reader._append(this.chunkView(ev[i + 2]!), ev[i + 3]!, ev[i + 4]!)
        // One onData per connection per batch: the reactor emits a connection's reads together.
        const next = i + EVENT_INTS
        if (next >= end || ev[next] !== DATA || ev[next + 1] !== id) conn._data()
      } else if (type === CONNECT) {
        conn._connected(TRANSPORTS[ev[i + 2]!]!)
      } else if (type === END) {
        conn._peerEnded()
      } else if (type === DRAIN) {
        conn._drained()
      } else if (type === CLOSE) {
        this.conns[id] = undefined
        conn._closed(ev[i + 2]!, ev[i + 3]!, ev[i + 4]!)
      }
    }
  }
}

let current: Reactor | undefined

export function reactor(): Reactor {
  return (current ??= new Reactor())
}
