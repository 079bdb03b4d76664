// A net.Socket work-alike over a ringpoll connection: a stream.Duplex whose reads come from the
// connection's input chain and whose writes go to its output chain, with the net.Socket surface
// that servers and frameworks use (addresses, timeouts, half-close, Node's error codes).
//
// Reads: each batch of input is copied once into a Buffer and pushed. A pushed Buffer belongs to
// the stream's consumer from then on (node:http, for one, keeps slices of it as body chunks), so
// a view of slab memory would outlive release(); one copy per wake-up lets the chunk go back to
// the reactor at once. Writes go straight to the connection's output (strings encoded into it),
// and a write's callback waits while the output is past the stream's highWaterMark.
import { Duplex, addAbortSignal } from 'node:stream'
import { lookup } from 'node:dns'
import { isIP } from 'node:net'
import { connect as coreConnect, type ConnectTarget as CoreTarget } from '../client.js'
import type { Connection } from '../connection.js'
import type { Handlers } from '../options.js'
import { connectArgs, connectTarget, type ConnectOptions, type ConnectTarget } from './args.js'
import { codeError, fromCoreError, systemError } from './errors.js'

/** Given to conn.close() by destroy(): the socket asked for the close, so nothing is reported. */
const DESTROYED = new Error('destroyed by the socket')

/** How often a socket destroyed after end() checks that its output has gone (then it closes). */
const FLUSH_POLL_MS = 20

/** @internal What a socket tells the server that accepted it. */
export interface SocketOwner {
  _connections: number
  _emitCloseIfDrained(): void
}

export interface SocketOptions {
  allowHalfOpen?: boolean
  highWaterMark?: number
  readableHighWaterMark?: number
  writableHighWaterMark?: number
  noDelay?: boolean
  keepAlive?: boolean
  keepAliveInitialDelay?: number
  signal?: AbortSignal
  /** Accepted sockets: start paused, as net's pauseOnConnect. */
  pauseOnCreate?: boolean
}

type WriteCallback = (err?: Error | null) => void
type Chunk = { chunk: Buffer | string; encoding: BufferEncoding | 'buffer' }
/** Work waiting for the connection; `fail` ends it if the socket is destroyed first. */
type Waiting = { run: () => void; fail?: (err: Error) => void }

const byteLength = (chunk: Buffer | string, encoding: BufferEncoding | 'buffer'): number =>
  typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding as BufferEncoding) : chunk.byteLength

export class Socket extends Duplex {
  connecting = false
  /** The server that accepted this socket (node:http replaces it with itself). */
  server: unknown = null
  /** @internal The server counting this socket among its connections. */
  _server: SocketOwner | null = null
  private conn: Connection | null = null
  private transportClosed = false
  /** The connection is paused (the stream is full, or pauseOnConnect) until _read(). */
  private readingPaused = false
  private connectStarted = false
  private closeHadError = false
  private bytesIn = 0
  private bytesOut = 0
  private noDelayOn: boolean
  private keepAliveOn = false
  private keepAliveDelay = 0
  /** The Timeout behind setTimeout(); kept across setTimeout(0) so re-arming is a refresh(). */
  private timer: NodeJS.Timeout | undefined
  private timerMs = 0
  private timeoutMs = 0
  private lastBuffered = 0
  /** A write's callback, held while the connection's output is past the high-water mark. */
  private heldCallback: WriteCallback | undefined
  /** Work waiting for the connection: a write or end() made while connecting. */
  private onAttach: Waiting[] = []
  /** Bytes of the writes waiting in onAttach (net counts them in bytesWritten). */
  private queuedBytes = 0
  /** The stream asked for data before the connection existed. */
  private readWanted = false
  private flushPoll: NodeJS.Timeout | undefined
  private refed = true
  /** The peer's FIN has been pushed into the stream: nothing more will be read. */
  private inputEnded = false
  /** The connection holds the process (ref'd); see holdLoop(). */
  private holding = true
  /** resetAndDestroy(): the connection closes with RST. */
  private resetting = false

  constructor(options: SocketOptions = {}) {
    if (options === null || typeof options !== 'object') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be of type object')
    for (const key of ['objectMode', 'readableObjectMode', 'writableObjectMode'] as const) {
      const value = (options as Record<string, unknown>)[key]
      if (value) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The property 'options.${key}' is not supported. Received ${String(value)}`)
    }
    super({
      allowHalfOpen: Boolean(options.allowHalfOpen),
      highWaterMark: options.highWaterMark,
      readableHighWaterMark: options.readableHighWaterMark,
      writableHighWaterMark: options.writableHighWaterMark,
      decodeStrings: false, // strings are encoded straight into output memory
      emitClose: false, // 'close' (with hadError) is emitted once the connection has closed
      autoDestroy: true,
    })
    if (options.signal !== undefined) addAbortSignal(options.signal, this) // aborting destroys it, as in net
    this.noDelayOn = Boolean(options.noDelay)
    if (options.keepAlive) this.setKeepAlive(true, options.keepAliveInitialDelay)
    if (options.pauseOnCreate) this.pause()
    this.on('end', onReadableEnd)
  }

  // ---- the connection ----

  /** @internal Binds an accepted or newly connected ringpoll connection. */
  _attach(conn: Connection): void {
    conn.context = this
    if (this.destroyed) {
      conn.close(DESTROYED)
      return
    }
    this.conn = conn
    this.connecting = false
    if (this.keepAliveOn) conn.setKeepAlive(true, this.keepAliveDelay)
    this.holding = true
    // pauseOnConnect, or paused before connecting; a read asked for before then is served (as net's).
    if (this.readableFlowing === false && !this.readWanted) this.pauseReading(conn)
    this.holdLoop()
  }

  /** @internal The client side: connected. */
  _connected(conn: Connection): void {
    this._attach(conn)
    if (this.destroyed) return
    this.emit('connect')
    this.emit('ready')
    for (const work of this.onAttach.splice(0)) work.run()
  }

  /** @internal A batch of input: one copy, then the stream's flow control. */
  _input(conn: Connection): void {
    const reader = conn.reader
    const n = reader.length
    const chunk = reader.readBuffer(n)
    reader.release()
    this.bytesIn += n
    if (this.timeoutMs !== 0) this.timer!.refresh()
    if (!this.push(chunk)) this.pauseReading(conn)
  }

  /**
   * @internal The peer sent FIN. The connection hands the end over only after all input and never
   * while paused, so the stream has asked for what is left.
   */
  _peerEnded(conn: Connection): void {
    if (conn.reader.length > 0) this._input(conn)
    this.inputEnded = true
    this.holdLoop()
    this.push(null)
    // As net does: a read(0) lets 'end' (and then the close) come when nothing is buffered, even
    // on a socket that nobody reads.
    this.read(0)
  }

  /** @internal The connection's output fell below the high-water mark. */
  _drained(): void {
    const cb = this.heldCallback
    this.heldCallback = undefined
    cb?.()
  }

  /** @internal The connection has closed (the socket asked, or the peer or an error did). */
  _closed(_conn: Connection, err: Error | undefined): void {
    this.transportClosed = true
    clearInterval(this.flushPoll)
    if (this.destroyed) {
      setImmediate(emitClose, this, this.closeHadError)
    } else if (err !== undefined && err !== DESTROYED) {
      this.destroy(fromCoreError(err))
    } else {
      // Both sides sent FIN: what the stream buffers is read first, and autoDestroy follows.
      this._drained()
      if (this.readableEnded && this.writableFinished) this.destroy()
    }
  }

  override _read(): void {
    const conn = this.conn
    if (conn === null) this.readWanted = true
    if (conn === null || !this.readingPaused) return
    this.readingPaused = false
    this.holdLoop()
    conn.resume()
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding | 'buffer', cb: WriteCallback): void {
    const conn = this.writeTarget(() => this._write(chunk, encoding, cb), cb, byteLength(chunk, encoding))
    if (conn === null) return
    let below: boolean
    try {
      below = typeof chunk === 'string' ? conn.write(chunk, encoding as BufferEncoding) : conn.write(chunk)
    } catch (err) {
      return cb(err as Error)
    }
    this.wrote(typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding as BufferEncoding) : chunk.byteLength, below, cb)
  }

  /**
   * Corked writes (and a backlog of them) go out together: buffers are linked by one writev, strings
   * encoded straight into output memory, and the flush after the batch sends them all in one
   * vectored system call.
   */
  override _writev(chunks: Chunk[], cb: WriteCallback): void {
    const conn = this.writeTarget(() => this._writev(chunks, cb), cb, chunks.reduce((n, c) => n + byteLength(c.chunk, c.encoding), 0))
    if (conn === null) return
    let below = true
    let n = 0
    let run: Buffer[] = []
    try {
      for (const { chunk, encoding } of chunks) {
        if (typeof chunk !== 'string') {
          run.push(chunk)
          n += chunk.byteLength
          continue
        }
        if (chunk.length === 0) continue // node:http ends a response with one
        if (run.length > 0) below = conn.writev(run)
        run = []
        below = conn.write(chunk, encoding as BufferEncoding)
        n += Buffer.byteLength(chunk, encoding as BufferEncoding)
      }
      if (run.length > 0) below = conn.writev(run)
    } catch (err) {
      return cb(err as Error)
    }
    this.wrote(n, below, cb)
  }

  override _final(cb: WriteCallback): void {
    if (this.connecting) {
      this.onAttach.push({ run: () => this._final(cb) })
      return
    }
    if (this.conn !== null && !this.transportClosed) {
      try {
        this.conn.end() // FIN once the output queued before it has gone
      } catch (err) {
        return cb(err as Error)
      }
    }
    cb()
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.connecting) {
      const closed = codeError(Error, 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'Socket closed before the connection was established')
      for (const work of this.onAttach.splice(0)) work.fail?.(closed)
    }
    this.connecting = false
    this.timeoutMs = 0
    clearTimeout(this.timer)
    this.closeHadError = err !== null
    const conn = this.conn
    if (conn !== null && !this.transportClosed) {
      if (this.resetting) conn.reset()
      else if (err === null && this.writableFinished) this.closeWhenFlushed(conn)
      else conn.close(DESTROYED)
    } else if (conn !== null || this.connectStarted) {
      setImmediate(emitClose, this, this.closeHadError)
    }
    if (this.heldCallback !== undefined) process.nextTick(this.heldCallback) // that write is over
    this.heldCallback = undefined
    cb(err)
    if (conn === null && !this.connectStarted) process.nextTick(emitClose, this, this.closeHadError) // after 'error'
    if (this._server !== null) {
      this._server._connections--
      this._server._emitCloseIfDrained()
    }
  }

  // ---- the net.Socket surface ----

  /** Closes with RST (once connected, when connecting), as net's does; without a connection, an error. */
  resetAndDestroy(): this {
    if (this.conn === null && !this.connecting) return this.destroy(codeError(Error, 'ERR_SOCKET_CLOSED', 'Socket is closed'))
    this.resetting = true
    if (this.connecting) this.once('connect', () => this.destroy())
    else this.destroy()
    return this
  }

  /** As net's: connect(options[, cb]), connect(port[, host][, cb]), connect(path[, cb]). */
  connect(options: ConnectOptions, connectListener?: () => void): this
  connect(port: number, host?: string, connectListener?: () => void): this
  connect(port: number, connectListener: () => void): this
  connect(path: string, connectListener?: () => void): this
  connect(...args: unknown[]): this {
    const [options, cb] = connectArgs(args)
    if (this.destroyed) this.reset() // a socket is reusable after it closed, as net's
    else if (this.connecting || this.conn !== null) throw codeError(Error, 'ERR_SOCKET_CONNECTING', 'Socket is already connected')
    const target = connectTarget(options)
    if (options.timeout !== undefined) this.setTimeout(options.timeout)
    if (options.noDelay !== undefined) this.noDelayOn = Boolean(options.noDelay)
    if (options.keepAlive) this.setKeepAlive(true, options.keepAliveInitialDelay)
    if (cb) this.once('connect', cb)
    this.connecting = true
    this.connectStarted = true
    if (target.path !== undefined || isIP(target.host!) !== 0) {
      this.dial(target, target.host)
      return this
    }
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0) || 0
    lookup(target.host!, { all: true, family, hints: options.hints ?? 0 }, (err, found) => {
      if (this.destroyed) return
      if (err !== null) {
        this.emit('lookup', err, undefined, undefined, target.host)
        return void this.destroy(err)
      }
      // Like net's autoSelectFamily, in order: 'localhost' may be ::1 while the server is on 127.0.0.1.
      for (const { address, family } of found) this.emit('lookup', null, address, family, target.host)
      this.dial(target, found.map((a) => a.address))
    })
    return this
  }

  /** Connects to a path or to the first of `hosts` that answers. */
  private dial(target: ConnectTarget, hosts: string | string[] | undefined): void {
    const onConnect = (conn: Connection): void => {
      try {
        this._connected(conn)
      } catch (err) {
        rethrow(err)
      }
    }
    const handlers: Handlers = { ...socketHandlers, onConnect }
    const options = { ...handlers, noDelay: this.noDelayOn, allowHalfOpen: true, highWaterMark: Math.max(1, this.writableHighWaterMark) }
    const list = typeof hosts === 'string' ? [hosts] : hosts ?? [undefined]
    const attempt = (i: number): void => {
      const host = list[i]
      const core: CoreTarget = target.path !== undefined ? { path: target.path } : { host, port: target.port! }
      coreConnect(core, options).catch((err: Error & { code?: string }) => {
        if (this.destroyed) return
        if (i + 1 < list.length) return attempt(i + 1)
        const error = err.code?.startsWith('E') ? systemError(err.code, 'connect', target.path ?? host, target.port) : err
        process.nextTick(() => this.destroy(error))
      })
    }
    attempt(0)
  }

  /** A destroyed socket made ready for connect() again. */
  private reset(): void {
    ;(this as unknown as { _undestroy(): void })._undestroy()
    // A connection still closing reports to nobody now.
    if (this.conn !== null) this.conn.context = undefined
    clearInterval(this.flushPoll)
    if (Object.hasOwn(this, 'write')) delete (this as { write?: unknown }).write // see onReadableEnd
    this.conn = null
    this.transportClosed = this.readingPaused = this.closeHadError = this.readWanted = this.inputEnded = this.resetting = false
    this.bytesIn = this.bytesOut = this.queuedBytes = 0
    this.heldCallback = undefined
  }

  /** Emits 'timeout' after `ms` without reads or writes (the socket stays open); 0 turns it off. */
  setTimeout(ms: number, callback?: () => void): this {
    if (typeof ms !== 'number') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "msecs" argument must be of type number. Received ${typeof ms}`)
    if (!(ms >= 0) || ms === Infinity) throw codeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "msecs" is out of range. It must be a non-negative finite number. Received ${ms}`)
    if (callback !== undefined && typeof callback !== 'function') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "callback" argument must be of type function')
    if (this.destroyed) return this
    this.timeoutMs = ms
    if (ms === 0) {
      if (callback) this.removeListener('timeout', callback)
      return this
    }
    if (this.timer !== undefined && this.timerMs === ms) {
      this.timer.refresh()
    } else {
      clearTimeout(this.timer)
      this.timer = setTimeout(onTimer, ms, this).unref()
      this.timerMs = ms
    }
    if (callback) this.once('timeout', callback)
    return this
  }

  /** @internal net's name for "there was activity": restarts the timeout. */
  _unrefTimer(): void {
    if (this.timeoutMs !== 0) this.timer!.refresh()
  }

  /** @internal */
  _onTimeout(): void {
    if (this.timeoutMs === 0 || this.destroyed) return
    // Output still leaving (a slow reader) counts as activity, as in net.
    const buffered = this.conn?.bufferedAmount ?? 0
    if (buffered > 0 && buffered !== this.lastBuffered) {
      this.lastBuffered = buffered
      this.timer!.refresh()
      return
    }
    this.emit('timeout')
  }

  setNoDelay(enable?: boolean): this {
    const on = enable === undefined ? true : Boolean(enable)
    if (this.conn === null) {
      this.noDelayOn = on
    } else if (on !== this.noDelayOn && !this.transportClosed) {
      this.noDelayOn = on
      this.conn.setNoDelay(on)
    }
    return this
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    const on = Boolean(enable)
    const delay = Math.max(0, Math.trunc(Number(initialDelay) || 0))
    if (on === this.keepAliveOn && (!on || delay === this.keepAliveDelay)) return this
    this.keepAliveOn = on
    this.keepAliveDelay = delay
    if (this.conn !== null && !this.transportClosed) this.conn.setKeepAlive(on, delay)
    return this
  }

  /** The local address, as net gives it: { address, family, port }, or {} before connecting. */
  address(): { address?: string; family?: string; port?: number } {
    const address = this.localAddress
    if (address === undefined) return {}
    return { address, family: this.localFamily!, port: this.localPort! }
  }

  get remoteAddress(): string | undefined {
    return this.conn?.remoteAddress
  }
  get remotePort(): number | undefined {
    return this.conn?.remotePort
  }
  get remoteFamily(): string | undefined {
    return this.conn?.remoteFamily
  }
  get localAddress(): string | undefined {
    return this.conn === null || this.transportClosed ? undefined : this.conn.localAddress
  }
  get localPort(): number | undefined {
    return this.conn === null || this.transportClosed ? undefined : this.conn.localPort
  }
  get localFamily(): string | undefined {
    const address = this.localAddress
    return address === undefined ? undefined : isIP(address) === 6 ? 'IPv6' : 'IPv4'
  }

  /** Bytes received. */
  get bytesRead(): number {
    return this.bytesIn
  }

  /** Bytes written so far, as net counts them: handed to the connection, or waiting for it. */
  get bytesWritten(): number | undefined {
    const buffered = (this as unknown as { writableBuffer?: Chunk[] }).writableBuffer
    if (buffered === undefined) return undefined // not a socket (the prototype), as in net
    let n = this.bytesOut + this.queuedBytes
    for (const { chunk, encoding } of buffered) n += byteLength(chunk, encoding)
    return n
  }

  /** net's legacy name for `connecting`. */
  get _connecting(): boolean {
    return this.connecting
  }

  /** True until connected (and for a socket that never connects), and again once destroyed. */
  get pending(): boolean {
    return this.conn === null || this.connecting || this.destroyed // net: no handle
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening'
    if (this.readable) return this.writable ? 'open' : 'readOnly'
    return this.writable ? 'writeOnly' : 'closed'
  }

  /** net's alias for writableLength. */
  get bufferSize(): number | undefined {
    return this.connecting || (this.conn !== null && !this.destroyed) ? this.writableLength : undefined
  }

  /** end(), then destroy() once the output is finished. */
  destroySoon(): void {
    if (this.writable) this.end()
    if (this.writableFinished) this.destroy()
    else this.once('finish', this.destroy)
  }

  /** Keep the process alive while this socket is open (the default). */
  ref(): this {
    this.refed = true
    this.holdLoop()
    return this
  }

  /** Let the process exit while this socket is open; a connecting socket holds it until connected. */
  unref(): this {
    this.refed = false
    this.holdLoop()
    return this
  }

  // ---- internals ----

  private pauseReading(conn: Connection): void {
    this.readingPaused = true
    conn.pause()
    this.holdLoop()
  }

  /**
   * As net's handle, which is active only while it reads or writes: a socket that reads nothing
   * (paused, or past the peer's FIN) and has nothing queued to send does not keep the process
   * alive. A write holds it again (and it stays held until reading stops again).
   */
  private holdLoop(): void {
    const conn = this.conn
    if (conn === null || this.transportClosed) return
    const idle = (this.readingPaused || this.inputEnded) && this.writableLength === 0 && conn.bufferedAmount === 0
    const hold = this.refed && !idle
    if (hold === this.holding) return
    this.holding = hold
    if (hold) conn.ref()
    else conn.unref()
  }

  /** The connection to write to now, or null when the write waits for it or cannot happen. */
  private writeTarget(retry: () => void, cb: WriteCallback, n: number): Connection | null {
    if (this.connecting) {
      this.queuedBytes += n
      const run = (): void => {
        this.queuedBytes -= n
        retry()
      }
      this.onAttach.push({ run, fail: cb })
      return null
    }
    if (this.conn === null || this.transportClosed) {
      cb(codeError(Error, 'EPIPE', 'This socket has been ended by the other party'))
      return null
    }
    return this.conn
  }

  private wrote(n: number, below: boolean, cb: WriteCallback): void {
    if (!below && this.conn !== null) {
      // Past the high-water mark: send now, as net's write does, so that only what the kernel
      // would not take counts as backpressure (not the batch still waiting for the tick's flush).
      this.conn.flush()
      below = this.conn.bufferedAmount < Math.max(1, this.writableHighWaterMark)
    }
    this.bytesOut += n
    if (!this.holding && this.refed) this.holdLoop()
    if (this.timeoutMs !== 0) this.timer!.refresh()
    if (below) cb()
    else this.heldCallback = cb
  }

  /** Destroyed after end(): output still queued is sent (then the FIN) before the connection closes. */
  private closeWhenFlushed(conn: Connection): void {
    conn.flush()
    if (conn.bufferedAmount === 0) return conn.close(DESTROYED)
    this.flushPoll = setInterval(() => {
      if (conn.bufferedAmount === 0) conn.close(DESTROYED)
    }, FLUSH_POLL_MS)
  }
}

/** Writes after the peer's FIN, without allowHalfOpen, fail as net's do (EPIPE). */
function onReadableEnd(this: Socket): void {
  if (!this.allowHalfOpen) (this as { write: unknown }).write = writeAfterFin
}

function writeAfterFin(this: Socket, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
  if (!this.writableEnded) return Duplex.prototype.write.call(this, chunk, encoding as BufferEncoding, cb as WriteCallback)
  const callback = typeof encoding === 'function' ? encoding : cb
  const err = codeError(Error, 'EPIPE', 'This socket has been ended by the other party')
  if (typeof callback === 'function') process.nextTick(callback as WriteCallback, err)
  this.destroy(err)
  return false
}

function onTimer(socket: Socket): void {
  socket._onTimeout()
}

/** 'close' comes after the current loop phase (and its immediates), as net's handle close does. */
function emitClose(socket: Socket, hadError: boolean): void {
  socket.emit('close', hadError)
}

/** Exceptions from event listeners surface as uncaught exceptions, as they do under net. */
function rethrow(err: unknown): void {
  process.nextTick(() => {
    throw err
  })
}

/**
 * Runs the nextTick queue and the microtasks now, as node does after each socket read (every read is
 * its own callback from libuv) and between timers. The reactor hands a whole wake-up's reads to JS
 * in one call, with the ticks after all of them: at 1,000 connections that is thousands of
 * requests whose objects (node:http finishes each response on a tick) all live until the batch
 * ends, outgrow the young generation and are promoted. process._tickCallback is Node's own
 * runNextTicks (checked by name: under --pending-deprecation it is a wrapper that warns, and
 * another runtime may not have it); without it the ticks run after the batch.
 */
const tickCallback = (process as { _tickCallback?: { (): void; name: string } })._tickCallback
const runTicks: () => void = typeof tickCallback === 'function' && tickCallback.name === 'runNextTicks' ? tickCallback : () => {}

/**
 * The ringpoll handlers shared by every socket; each connection's context is its socket (none for
 * a connection dropped by maxConnections).
 */
export const socketHandlers: Handlers<Socket | undefined> = {
  onData(conn) {
    try {
      conn.context?._input(conn)
      runTicks()
    } catch (err) {
      rethrow(err)
    }
  },
  onEnd(conn) {
    try {
      conn.context?._peerEnded(conn)
    } catch (err) {
      rethrow(err)
    }
  },
  onDrain(conn) {
    try {
      conn.context?._drained()
    } catch (err) {
      rethrow(err)
    }
  },
  onClose(conn, err) {
    try {
      conn.context?._closed(conn, err)
    } catch (thrown) {
      rethrow(thrown)
    }
  },
}
