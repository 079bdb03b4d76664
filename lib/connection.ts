// A connection as the application sees it: handlers, the reader and writer, its life cycle.
import { binding, type Address } from './native.js'
import { RingpollError, closedError, errnoError, timeoutError } from './errors.js'
import { checkInteger, type HandlerSet } from './options.js'
import { Reader } from './reader.js'
import { Writer } from './writer.js'
import type { Reactor } from './reactor.js'

const enum State {
  Connecting,
  Open,
  Ended, // end() called: no more writes
  Closing, // close() called, or the reactor reported the close
  Closed, // onClose has run
}

export interface ConnectOutcome {
  resolve(conn: Connection): void
  reject(err: Error): void
  /** The address being connected to, for error messages. */
  target: string
}

export class Connection {
  readonly reader: Reader
  readonly writer: Writer
  /** A slot for the application. */
  context: unknown = undefined
  private state: State
  private peerGone = false
  private paused = false
  private closeError: Error | undefined
  private remote: Address | null | undefined
  private local: Address | null | undefined

  constructor(
    private readonly reactor: Reactor,
    readonly id: number,
    private readonly handlers: HandlerSet,
    highWaterMark: number,
    private readonly onGone: (conn: Connection) => void,
    private pending?: ConnectOutcome,
  ) {
    this.state = pending ? State.Connecting : State.Open
    this.reader = new Reader(reactor, id)
    this.writer = new Writer(reactor, this, highWaterMark)
    reactor.conns[id] = this
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

  /** @internal True until the reactor has reported the close (its id may be reused after). */
  get live(): boolean {
    return this.state !== State.Closed
  }

  write(data: Uint8Array | string, encoding?: BufferEncoding): boolean {
    return this.writer.write(data, encoding)
  }

  writev(buffers: readonly Uint8Array[]): boolean {
    return this.writer.writev(buffers)
  }

  flush(): void {
    this.writer.flush()
  }

  /** Half-close: send what is queued (and `data`), then FIN. */
  end(data?: Uint8Array | string): void {
    if (this.state === State.Ended) return
    if (data !== undefined) this.write(data)
    this.assertWritable()
    this.state = State.Ended
    binding.end(this.id)
  }

  /** Close now; output still queued is tried once and what remains is reported lost in onClose. */
  close(err?: Error): void {
    if (this.state >= State.Closing) return
    if (err !== undefined && !(err instanceof Error)) throw new TypeError('close(err) needs an Error')
    this.state = State.Closing
    this.closeError = err
    binding.close(this.id)
  }

  /** Stop reading from the socket (and calling onData); the peer's close is still seen. */
  pause(): void {
    if (this.state >= State.Closing || this.paused) return
    this.paused = true
    binding.pause(this.id, true)
  }

  resume(): void {
    if (this.state >= State.Closing || !this.paused) return
    this.paused = false
    binding.pause(this.id, false)
    // What arrived before the pause was never handed to onData.
    if (this.reader.length > 0) queueMicrotask(() => this.state < State.Closing && this.reader.length > 0 && this._data())
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

  _data(): void {
    if (this.paused || this.state >= State.Closing) return // resume() hands it over
    try {
      this.handlers.onData(this)
    } catch (err) {
      this.fail(err)
    }
  }

  _connected(): void {
    if (this.state === State.Connecting) this.state = State.Open
    const pending = this.pending
    this.pending = undefined
    try {
      this.handlers.onConnect(this)
    } catch (err) {
      this.fail(err)
    }
    pending?.resolve(this)
  }

  _peerEnded(): void {
    this.peerGone = true
    if (this.state >= State.Closing) return
    try {
      this.handlers.onEnd(this)
    } catch (err) {
      this.fail(err)
    }
  }

  _drained(): void {
    if (this.state >= State.Closing) return
    try {
      this.handlers.onDrain(this)
    } catch (err) {
      this.fail(err)
    }
  }

  _closed(reason: number, errno: number, unsent: number): void {
    const k = this.reactor.k
    let err: Error | undefined
    const pending = this.pending
    if (reason === k.CLOSE_ERROR) err = pending ? errnoError(errno, 'connect', pending.target) : errnoError(errno, 'socket')
    else if (reason === k.CLOSE_TIMEOUT) err = timeoutError(pending ? `connect to ${pending.target}` : 'idle connection')
    else if (this.closeError) err = this.closeError // close(err), or a handler that threw
    else if (unsent > 0) err = new RingpollError('ERR_UNSENT_DATA', `${unsent} bytes of output were not sent`)
    this.remoteInfo() // kept for onClose and later: the native side forgets it after this batch
    this.peerGone = true
    this.state = State.Closed
    this.onGone(this)
    if (pending) {
      this.pending = undefined
      pending.reject(err ?? closedError())
    } else {
      try {
        this.handlers.onClose(this, err)
      } catch (thrown) {
        if (!this.report(toError(thrown))) {
          process.emitWarning(`ringpoll: onClose threw: ${String((thrown as Error)?.stack ?? thrown)}`)
        }
      }
    }
    this.reader._detach()
  }

  // ---- internals ----

  /** @internal */
  assertWritable(): void {
    if (this.state === State.Ended) throw new RingpollError('ERR_WRITE_AFTER_END', 'write after end()')
    if (this.state >= State.Closing) throw closedError()
  }

  /** A handler threw: the connection closes with that error, then onError hears of it. */
  private fail(thrown: unknown): void {
    const err = toError(thrown)
    this.close(err)
    this.report(err)
  }

  /** False when there is no onError. Its rethrow waits for the batch to end: a throw out of the
   * middle of a batch would lose the events after it (other connections' closes among them). */
  private report(err: Error): boolean {
    const { onError } = this.handlers
    if (onError === undefined) return false
    try {
      onError(err, this)
    } catch (rethrown) {
      process.nextTick(() => {
        throw rethrown
      })
    }
    return true
  }

  private setOption(name: 'noDelay' | 'keepAlive', on: boolean, seconds: number): void {
    if (typeof on !== 'boolean') throw new TypeError(`${name} needs a boolean`)
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
