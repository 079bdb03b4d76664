// A connection as the application sees it: handlers, the reader and writer, its life cycle.
import { binding, type Address } from './native.js'
import { RingpollError, closedError, destroyedError, errnoError, invalidArgType, timeoutError, writeAfterEndError } from './errors.js'
import { checkBoolean, checkInteger } from './validate.js'
import { Reader } from './reader.js'
import { Writer } from './writer.js'
import type { Reactor, Transport } from './reactor.js'

/**
 * The handlers a connection calls (checkHandlers in options.ts fills in the missing ones).
 * Written as methods, which TypeScript compares bivariantly: a mapped type of Handlers would make
 * Connection<Context> invariant in Context, so a Connection<State> would not pass where a
 * Connection is taken.
 */
export interface HandlerSet<Context = unknown> {
  onConnect(conn: Connection<Context>): void
  onData(conn: Connection<Context>): void
  onDrain(conn: Connection<Context>): void
  onEnd(conn: Connection<Context>): void
  onClose(conn: Connection<Context>, err?: NodeJS.ErrnoException): void
  onError?(err: Error, conn: Connection<Context>): void
}

const enum State {
  Connecting,
  Open,
  Ended, // end() called: no more writes
  Closing, // close() called, or the reactor reported the close
  Closed, // onClose has run
}

/** @internal */
export interface ConnectOutcome<Context> {
  resolve(conn: Connection<Context>): void
  reject(err: Error): void
  /** The address being connected to, for error messages. */
  target: string
}

/** `Context` is the type of `context`, the same for every connection of a server or client. */
export class Connection<Context = unknown> {
  readonly reader: Reader
  readonly writer: Writer
  /** A slot for the application: undefined until it sets one. */
  context: Context = undefined as Context
  /** @internal The connection's slot in the reactor (reused once its close has been dispatched). */
  readonly id: number
  private state: State
  private peerGone = false
  private paused = false
  /** close() was called by the application: writing after it is its mistake, not the peer's doing. */
  private closedLocally = false
  /** Bytes written after the reactor closed the connection, in the batch that reports the close. */
  private droppedBytes = 0
  /** The peer's FIN arrived while paused: onEnd waits until resume() has handed over the input. */
  private endHeld = false
  private closeError: Error | undefined
  private carrier: Transport = 'tcp'
  private remote: Address | null | undefined
  private local: Address | null | undefined

  private constructor(
    private readonly reactor: Reactor,
    id: number,
    private readonly handlers: HandlerSet<Context>,
    highWaterMark: number,
    private readonly onGone: () => void,
    private pending?: ConnectOutcome<Context>,
  ) {
    this.id = id
    this.state = pending ? State.Connecting : State.Open
    this.reader = Reader._create(reactor, id)
    this.writer = Writer._create(reactor, this, highWaterMark)
    reactor.attach(id, this)
  }

  /** @internal Connections are made by a server (accepted) or by connect(), never by the application. */
  static _create<Context>(
    reactor: Reactor,
    id: number,
    handlers: HandlerSet<Context>,
    highWaterMark: number,
    onGone: () => void,
    pending?: ConnectOutcome<Context>,
  ): Connection<Context> {
    return new Connection(reactor, id, handlers, highWaterMark, onGone, pending)
  }

  /** True until the peer's FIN or RST is seen or the connection is closed (end() leaves it true). */
  get active(): boolean {
    return this.state <= State.Ended && this.state !== State.Connecting && !this.peerGone
  }

  /** True once onClose has been called. */
  get closed(): boolean {
    return this.state === State.Closed
  }

  get bufferedAmount(): number {
    return this.writer.bufferedAmount
  }

  /** What carries the bytes: 'tcp', 'unix', or 'shm' (a Unix socket with a shared-memory lane);
   * known from onConnect on. */
  get transport(): Transport {
    return this.carrier
  }

  /** @internal True until the reactor has reported the close (its id may be reused after). */
  get live(): boolean {
    return this.state !== State.Closed
  }

  write(data: Uint8Array | string, encoding?: BufferEncoding): boolean {
    return this.writer.write(data, encoding)
  }

  writev(chunks: readonly (Uint8Array | string)[]): boolean {
    return this.writer.writev(chunks)
  }

  flush(): void {
    this.writer.flush()
  }

  /** Half-close: send what is queued (and `data`), then FIN. */
  end(data?: Uint8Array | string): void {
    if (this.state === State.Ended) return
    if (data !== undefined) this.write(data)
    if (!this.writable('end')) return
    this.state = State.Ended
    binding.end(this.id)
  }

  /** Close now; output still queued is tried once and what remains is reported lost in onClose. */
  close(err?: Error): void {
    if (err !== undefined && !(err instanceof Error)) throw invalidArgType('err', 'an instance of Error', err)
    if (this.state >= State.Closing) return
    this.closedLocally = true
    this.closeWith(err)
  }

  /** Close at once with a reset (RST, as net's resetAndDestroy()): queued output is dropped and the
   * peer sees ECONNRESET; onClose follows with no error. */
  reset(): void {
    if (this.state >= State.Closing) return
    this.closedLocally = true
    this.state = State.Closing
    binding.reset(this.id)
  }

  /** Stop reading from the socket, and calling onData and onEnd (a FIN waits for resume()). */
  pause(): void {
    if (this.state >= State.Closing || this.paused) return
    this.paused = true
    binding.pause(this.id, true)
  }

  resume(): void {
    if (this.state >= State.Closing || !this.paused) return
    this.paused = false
    binding.pause(this.id, false)
    // What arrived before the pause was never handed to onData, and the end comes after it.
    if (this.reader.length > 0 || this.endHeld) queueMicrotask(() => this.handOver())
  }

  setNoDelay(on = true): this {
    this.setOption('noDelay', on, 0)
    return this
  }

  setKeepAlive(on = false, initialDelayMs = 0): this {
    checkInteger(initialDelayMs, 'initialDelayMs', 0, 2 ** 31 - 1)
    this.setOption('keepAlive', on, Math.floor(initialDelayMs / 1000))
    return this
  }

  /** Keep the event loop alive while this connection is open (the default). */
  ref(): this {
    if (this.state < State.Closing) binding.ref(this.id, true)
    return this
  }

  /** Let the process exit while this connection is open; one still connecting holds it until connected. */
  unref(): this {
    if (this.state < State.Closing) binding.ref(this.id, false)
    return this
  }

  setIdleTimeout(ms: number): this {
    checkInteger(ms, 'ms', 0, 2 ** 32 - 1)
    if (this.state < State.Closing) binding.setIdleTimeout(this.id, ms)
    return this
  }

  get remoteAddress(): string | undefined {
    return addressOf(this.remoteInfo())?.address
  }
  get remotePort(): number | undefined {
    return addressOf(this.remoteInfo())?.port
  }
  get remoteFamily(): string | undefined {
    return addressOf(this.remoteInfo())?.family
  }
  get localAddress(): string | undefined {
    return addressOf(this.localInfo())?.address
  }
  get localPort(): number | undefined {
    return addressOf(this.localInfo())?.port
  }

  // ---- called by the reactor ----

  /** @internal */
  _data(): void {
    if (this.paused || this.state >= State.Closing) return // resume() hands it over
    try {
      this.handlers.onData(this)
    } catch (err) {
      this.fail(err)
    }
  }

  /** @internal A client's onConnect that throws rejects connect() with that error, and closes
   * (onClose follows, as for any connection onConnect has seen). */
  _connected(transport: Transport): void {
    this.carrier = transport
    if (this.state === State.Connecting) this.state = State.Open
    const pending = this.pending
    this.pending = undefined
    try {
      this.handlers.onConnect(this)
    } catch (thrown) {
      if (pending === undefined) return this.fail(thrown)
      const err = toError(thrown)
      this.closeWith(err)
      return pending.reject(err)
    }
    pending?.resolve(this)
  }

  /** @internal The peer's FIN. It reaches onEnd only after every byte before it has been offered to
   * onData; until then the reactor keeps the connection open (binding.endSeen lets it close). */
  _peerEnded(): void {
    if (this.state >= State.Closing) return
    if (this.paused) {
      this.endHeld = true
      return
    }
    this.peerGone = true
    try {
      this.handlers.onEnd(this)
    } catch (err) {
      this.fail(err)
    }
    if (this.state < State.Closing) binding.endSeen(this.id)
  }

  /** @internal */
  _drained(): void {
    if (this.state >= State.Closing) return
    try {
      this.handlers.onDrain(this)
    } catch (err) {
      this.fail(err)
    }
  }

  /** @internal */
  _closed(reason: number, errno: number, unsent: number): void {
    const k = this.reactor.k
    let err: Error | undefined
    const pending = this.pending
    // Named by the syscall that saw the error, as node names them ('read ECONNRESET', 'write EPIPE').
    if (reason === k.CLOSE_ERROR) err = pending ? errnoError(errno, 'connect', pending.target) : errnoError(errno, 'read')
    else if (reason === k.CLOSE_WRITE_ERROR) err = errnoError(errno, 'write')
    else if (reason === k.CLOSE_TIMEOUT) err = timeoutError(pending ? `connect to ${pending.target}` : 'idle connection')
    else if (this.closeError) err = this.closeError // close(err), or a handler that threw
    else if (unsent + this.droppedBytes > 0) {
      err = new RingpollError('ERR_UNSENT_DATA', `${unsent + this.droppedBytes} bytes of output were not sent`)
    }
    this.remoteInfo() // kept for onClose and later: the native side forgets it after this batch
    this.peerGone = true
    this.state = State.Closed
    this.onGone()
    if (pending) {
      this.pending = undefined
      pending.reject(err ?? closedError())
    } else {
      try {
        this.handlers.onClose(this, err)
      } catch (thrown) {
        this.report(toError(thrown))
      }
    }
    this.reader._detach()
  }

  // ---- internals ----

  /** After resume(): the input that waited, then the end that waited, unless paused again. */
  private handOver(): void {
    if (this.paused || this.state >= State.Closing) return
    if (this.reader.length > 0) this._data()
    if (this.endHeld && !this.paused) {
      this.endHeld = false
      this._peerEnded()
    }
  }

  /**
   * @internal Whether a write can be queued. A connection the peer, an error or a timeout has
   * closed takes writes without throwing and drops them (write() returns false; onClose reports
   * the cause), as a net.Socket destroyed under its writer does; a write after the application's
   * own end() or close() is its mistake and throws, with node's codes.
   */
  writable(method = 'write'): boolean {
    if (this.closedLocally) throw destroyedError(method)
    if (this.state === State.Ended) throw writeAfterEndError()
    return this.state < State.Closing
  }

  /** @internal See WriterOwner.dropped: reported in onClose as output not sent. */
  dropped(n: number): void {
    this.droppedBytes += n
  }

  private closeWith(err: Error | undefined): void {
    if (this.state >= State.Closing) return
    this.state = State.Closing
    this.closeError = err
    binding.close(this.id)
  }

  /** A handler threw: the connection closes with that error, then onError hears of it. */
  private fail(thrown: unknown): void {
    const err = toError(thrown)
    this.closeWith(err)
    this.report(err)
  }

  /** To onError; without one (or when it throws) an uncaught exception, as a throwing listener
   * is under node:net. The throw waits for the batch to end: one out of the middle of a batch
   * would lose the events after it (other connections' data and closes among them). */
  private report(err: Error): void {
    const { onError } = this.handlers
    try {
      if (onError === undefined) throw err
      onError(err, this)
    } catch (uncaught) {
      process.nextTick(() => {
        throw uncaught
      })
    }
  }

  private setOption(name: 'noDelay' | 'keepAlive', on: boolean, seconds: number): void {
    checkBoolean(on, name === 'noDelay' ? 'noDelay' : 'enable', false)
    if (this.state >= State.Closing) return
    const rc = binding.setSocketOption(this.id, name, on, seconds)
    if (rc < 0) throw errnoError(-rc, 'setsockopt')
  }

  private remoteInfo(): Address | null {
    if (this.remote === undefined) this.remote = this.state === State.Closed ? null : binding.address(this.id, true)
    return this.remote
  }

  private localInfo(): Address | null {
    if (this.local === undefined) this.local = this.state === State.Closed ? null : binding.address(this.id, false)
    return this.local
  }
}

function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown))
}

function addressOf(a: Address | null): { address: string; port: number; family: string } | undefined {
  return a !== null && 'port' in a ? a : undefined
}
