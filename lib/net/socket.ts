// A net.Socket work-alike over a ringpoll connection: a stream.Duplex whose reads come from the
// connection's input chain and whose writes go to its output chain, with the net.Socket surface
// that servers and frameworks use (addresses, timeouts, half-close, Node's error codes).
//
// Reads: each batch of input is copied once into a Buffer and pushed. A pushed Buffer belongs to
// the stream's consumer from then on (node:http, for one, keeps slices of it as body chunks), so
// a view of slab memory would outlive release(); one copy per wake-up lets the chunk go back to
// the reactor at once. Writes go straight to the connection's output (strings encoded into it),
// and a write's callback waits while the output is past the stream's highWaterMark.
import { Duplex } from 'node:stream'
import { isIP } from 'node:net'
import { connect as coreConnect, type ConnectTarget } from '../client.js'
import type { Connection } from '../connection.js'
import type { Handlers } from '../options.js'
import { connectArgs, validPort, type ConnectOptions } from './args.js'
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
  /** Accepted sockets: start paused, as net's pauseOnConnect. */
  pauseOnCreate?: boolean
}

type WriteCallback = (err?: Error | null) => void
type Chunk = { chunk: Buffer | string; encoding: BufferEncoding | 'buffer' }

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
  /** The peer's FIN arrived while paused; the stream ends when it next asks for data. */
  private endHeld = false
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
  private onAttach: (() => void)[] = []
  private flushPoll: NodeJS.Timeout | undefined
  /** resetAndDestroy(): the connection closes with RST. */
  private resetting = false

  constructor(options: SocketOptions = {}) {
    if (options === null || typeof options !== 'object') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be of type object')
    super({
      allowHalfOpen: Boolean(options.allowHalfOpen),
      highWaterMark: options.highWaterMark,
      readableHighWaterMark: options.readableHighWaterMark,
      writableHighWaterMark: options.writableHighWaterMark,
      decodeStrings: false, // strings are encoded straight into output memory
      emitClose: false, // 'close' (with hadError) is emitted once the connection has closed
      autoDestroy: true,
    })
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
    if (this.readableFlowing === false) this.pauseReading(conn) // pauseOnConnect
  }

  /** @internal The client side: connected. */
  _connected(conn: Connection): void {
    this._attach(conn)
    if (this.destroyed) return
    this.emit('connect')
    this.emit('ready')
    for (const work of this.onAttach.splice(0)) work()
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
   * @internal The peer sent FIN. The reactor reads to the end even while the connection is paused;
   * what it read waits in the reader, with the end, until the stream asks for more.
   */
  _peerEnded(conn: Connection): void {
    if (this.readingPaused) {
      this.endHeld = true
      return
    }
    if (conn.reader.length > 0) this._input(conn)
    this.push(null)
  }

  /** @internal The connection's output fell below the high-water mark. */
  _drained(): void {
    const cb = this.heldCallback
    this.heldCallback = undefined
    cb?.()
  }

  /** @internal The connection has closed (the socket asked, or the peer or an error did). */
  _closed(conn: Connection, err: Error | undefined): void {
    this.transportClosed = true
    clearInterval(this.flushPoll)
    if (this.destroyed) {
      setImmediate(emitClose, this, this.closeHadError)
    } else if (err !== undefined && err !== DESTROYED) {
      this.destroy(fromCoreError(err))
    } else {
      // Both sides sent FIN. Input held back goes into the stream now (the reader goes with the
      // connection); what the stream buffers is read first, and autoDestroy follows.
      if (this.endHeld) {
        this.endHeld = this.readingPaused = false
        this._peerEnded(conn)
      }
      this._drained()
      if (this.readableEnded && this.writableFinished) this.destroy()
    }
  }

  override _read(): void {
    const conn = this.conn
    if (conn === null || !this.readingPaused) return
    this.readingPaused = false
    if (this.endHeld) {
      this.endHeld = false
      this._peerEnded(conn)
    } else {
      conn.resume()
    }
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding | 'buffer', cb: WriteCallback): void {
    const conn = this.writeTarget(() => this._write(chunk, encoding, cb), cb)
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
    const conn = this.writeTarget(() => this._writev(chunks, cb), cb)
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
      this.onAttach.push(() => this._final(cb))
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
    } else {
      process.nextTick(emitClose, this, this.closeHadError) // never had a connection
    }
    if (this.heldCallback !== undefined) process.nextTick(this.heldCallback) // that write is over
    this.heldCallback = undefined
    cb(err)
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
    if (this.connecting || this.conn !== null) throw codeError(Error, 'ERR_SOCKET_CONNECTING', 'Socket is already connected')
    const target = connectTarget(options)
    if (options.timeout !== undefined) this.setTimeout(options.timeout)
    if (options.noDelay !== undefined) this.noDelayOn = Boolean(options.noDelay)
    if (options.keepAlive) this.setKeepAlive(true, options.keepAliveInitialDelay)
    if (cb) this.once('connect', cb)
    this.connecting = true
    this.connectStarted = true
    const onConnect = (conn: Connection): void => {
      try {
        this._connected(conn)
      } catch (err) {
        rethrow(err)
      }
    }
    const handlers: Handlers = { ...socketHandlers, onConnect }
    coreConnect(target, { ...handlers, noDelay: this.noDelayOn, allowHalfOpen: true, highWaterMark: this.writableHighWaterMark }).catch(
      (err: Error & { code?: string }) => {
        if (this.destroyed) return
        const address = target.path ?? (target.host !== undefined && isIP(target.host) !== 0 ? target.host : undefined)
        const error = err.code?.startsWith('E') ? systemError(err.code, 'connect', address, target.port) : err
        process.nextTick(() => this.destroy(error))
      },
    )
    return this
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

  /** Bytes handed to the connection (sent, or queued in its output). */
  get bytesWritten(): number {
    return this.bytesOut
  }

  /** True until connected (and for a socket that never connects). */
  get pending(): boolean {
    return this.conn === null || this.connecting
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening'
    if (this.readable) return this.writable ? 'open' : 'readOnly'
    return this.writable ? 'writeOnly' : 'closed'
  }

  /** net's alias for writableLength. */
  get bufferSize(): number | undefined {
    return this.conn === null ? undefined : this.writableLength
  }

  /** end(), then destroy() once the output is finished. */
  destroySoon(): void {
    if (this.writable) this.end()
    if (this.writableFinished) this.destroy()
    else this.once('finish', this.destroy)
  }

  /**
   * Accepted for compatibility. Not effective yet: ringpoll's reactor keeps the event loop alive
   * while any of its connections is open.
   */
  ref(): this {
    return this
  }

  /** See ref(). */
  unref(): this {
    return this
  }

  // ---- internals ----

  private pauseReading(conn: Connection): void {
    this.readingPaused = true
    conn.pause()
  }

  /** The connection to write to now, or null when the write waits for it or cannot happen. */
  private writeTarget(retry: () => void, cb: WriteCallback): Connection | null {
    if (this.connecting) {
      this.onAttach.push(retry)
      return null
    }
    if (this.conn === null || this.transportClosed) {
      cb(codeError(Error, 'EPIPE', 'This socket has been ended by the other party'))
      return null
    }
    return this.conn
  }

  private wrote(n: number, below: boolean, cb: WriteCallback): void {
    this.bytesOut += n
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

function connectTarget(options: ConnectOptions): ConnectTarget {
  if (options === null || typeof options !== 'object') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be of type object')
  for (const unsupported of ['localAddress', 'localPort', 'lookup', 'fd', 'onread'] as const) {
    if ((options as object as Record<string, unknown>)[unsupported] !== undefined) {
      throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `ringpoll/net does not support the connect option "${unsupported}"`)
    }
  }
  if (typeof options.path === 'string' && options.path !== '') return { path: options.path }
  if (options.port === undefined) throw codeError(TypeError, 'ERR_MISSING_ARGS', 'The "options" or "port" or "path" argument must be specified')
  return { host: options.host || 'localhost', port: validPort(options.port, 'Port', false) }
}

/** Exceptions from event listeners surface as uncaught exceptions, as they do under net. */
function rethrow(err: unknown): void {
  process.nextTick(() => {
    throw err
  })
}

/**
 * The ringpoll handlers shared by every socket; each connection's context is its socket (none for
 * a connection dropped by maxConnections).
 */
export const socketHandlers: Handlers<Socket | undefined> = {
  onData(conn) {
    try {
      conn.context?._input(conn)
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
