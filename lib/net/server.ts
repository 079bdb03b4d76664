// A net.Server work-alike: listen() in net's forms, 'listening'/'connection'/'close'/'error'
// events, connection counting, close(cb). Each listen() runs a ringpoll server underneath whose
// accepted connections become Sockets.
import { EventEmitter } from 'node:events'
import { chmodSync, statSync } from 'node:fs'
import { isIP } from 'node:net'
import { createServer as createCoreServer, type Server as CoreServer, type ListenOptions as CoreListenOptions } from '../server.js'
import type { Connection } from '../connection.js'
import type { Address } from '../native.js'
import { listenArgs, validPort, type ListenOptions } from './args.js'
import { codeError, listenError, type NetError } from './errors.js'
import { Socket, socketHandlers, type SocketOwner } from './socket.js'

export interface ServerOptions {
  allowHalfOpen?: boolean
  pauseOnConnect?: boolean
  noDelay?: boolean
  keepAlive?: boolean
  keepAliveInitialDelay?: number
  highWaterMark?: number
}

const DEFAULT_HIGH_WATER_MARK = 16 * 1024

export class Server extends EventEmitter {
  /** Connections past this number are closed at once (and 'drop' is emitted). */
  maxConnections: number | undefined = undefined
  allowHalfOpen: boolean
  pauseOnConnect: boolean
  noDelay: boolean
  keepAlive: boolean
  /** In seconds, as net keeps it. */
  keepAliveInitialDelay: number
  highWaterMark: number
  /** @internal Open sockets, counted as net counts them (down when a socket is destroyed). */
  _connections = 0
  private core: CoreServer | undefined
  private bound: Address | null = null
  /** Bumped by each listen() and close(), so a listen overtaken by close() is undone. */
  private listeningId = 0
  /** net's key for a listen: family digit, the address asked for and the port asked for. */
  private requestedPort = 0
  /** readableAll / writableAll of the Unix socket being listened on, as mode bits for everyone. */
  private everyoneMode = 0
  private refed = true

  constructor(options?: ServerOptions | ((socket: Socket) => void), connectionListener?: (socket: Socket) => void) {
    super()
    if (typeof options === 'function') {
      connectionListener = options
      options = {}
    } else if (options === undefined || options === null) {
      options = {}
    } else if (typeof options !== 'object') {
      throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be of type object')
    }
    if (typeof connectionListener === 'function') this.on('connection', connectionListener)
    if (options.keepAliveInitialDelay !== undefined && typeof options.keepAliveInitialDelay !== 'number') {
      throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options.keepAliveInitialDelay" property must be of type number')
    }
    if (options.highWaterMark !== undefined && typeof options.highWaterMark !== 'number') {
      throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options.highWaterMark" property must be of type number')
    }
    this.allowHalfOpen = Boolean(options.allowHalfOpen)
    this.pauseOnConnect = Boolean(options.pauseOnConnect)
    this.noDelay = Boolean(options.noDelay)
    this.keepAlive = Boolean(options.keepAlive)
    this.keepAliveInitialDelay = Math.trunc(Math.max(0, options.keepAliveInitialDelay ?? 0) / 1000)
    const hwm = options.highWaterMark
    this.highWaterMark = hwm !== undefined && hwm >= 0 ? Math.floor(hwm) : DEFAULT_HIGH_WATER_MARK
  }

  get listening(): boolean {
    return this.bound !== null
  }

  /** As net's: a port (0 or none: any), with a host and backlog; a Unix socket path; or options. */
  listen(port?: number | null, host?: string, backlog?: number, listeningListener?: () => void): this
  listen(port: number | null | undefined, host: string | undefined, listeningListener: () => void): this
  listen(port: number | null | undefined, backlog: number | undefined, listeningListener?: () => void): this
  listen(port: number | null | undefined, listeningListener: () => void): this
  listen(path: string, backlog?: number, listeningListener?: () => void): this
  listen(path: string, listeningListener: () => void): this
  listen(options: ListenOptions, listeningListener?: () => void): this
  listen(listeningListener: () => void): this
  listen(...args: unknown[]): this {
    const [options, cb] = listenArgs(args)
    if (this.core !== undefined) throw codeError(Error, 'ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.')
    const target = listenTarget(options)
    const signal = checkSignal(options.signal)
    if (signal?.aborted) {
      process.nextTick(() => this.close())
      return this
    }
    signal?.addEventListener('abort', () => this.close(), { once: true })
    this.requestedPort = target.port ?? 0
    // As libuv's: readableAll / writableAll give everyone read / write permission.
    this.everyoneMode = (options.readableAll === true ? 0o444 : 0) | (options.writableAll === true ? 0o222 : 0)
    if (cb) this.once('listening', cb)
    const id = ++this.listeningId
    const core = createCoreServer({
      ...socketHandlers,
      onConnect: (conn) => this.accept(conn),
      noDelay: this.noDelay,
      allowHalfOpen: true, // the socket decides, once its stream has ended
      highWaterMark: Math.max(1, this.highWaterMark),
    })
    this.core = core
    if (!this.refed) core.unref()
    core.listen(target).then(
      (address) => {
        if (id !== this.listeningId) return void core.close()
        if (this.bound === null) this.bound_(address)
      },
      (err: Error & { code?: string }) => {
        if (id !== this.listeningId) return
        this.core = undefined
        const where = target.path ?? target.host ?? '::'
        const port = target.path === undefined ? target.port : undefined
        process.nextTick(() => this.emit('error', err.code?.startsWith('E') ? listenError(err.code, where, port) : err))
      },
    )
    // Without a host name to look up, the core has bound within listen(): the address is there at
    // once, as node:net's is ('listening' still comes on the next tick).
    const address = core.address()
    if (address !== null) this.bound_(address)
    return this
  }

  /** @internal As net's: "6::::0" for listen(0) on the default host. */
  get _connectionKey(): string | undefined {
    const a = this.bound
    if (a === null || 'path' in a) return undefined
    return `${a.family.slice(-1)}:${a.address}:${this.requestedPort}`
  }

  /**
   * With events.captureRejections, an async 'connection' listener's rejection destroys that
   * socket; any other listener's is an 'error', as in net.
   */
  override [EventEmitter.captureRejectionSymbol](err: Error, event: string, socket?: Socket): void {
    if (event === 'connection' && socket instanceof Socket) socket.destroy(err)
    else this.emit('error', err)
  }

  /** @internal Bound: the address is known, and 'listening' comes on the next tick. */
  protected bound_(address: Address): void {
    this.bound = address
    if ('path' in address && this.everyoneMode !== 0) chmodSync(address.path, statSync(address.path).mode | this.everyoneMode)
    // Out of the listen() call and its promise, so a listener's exception is uncaught, as under net.
    // Not if close() came first, as in net.
    process.nextTick(() => {
      if (this.bound === address) this.emit('listening')
    })
  }

  /** { address, family, port }, the path of a Unix socket, or null when not listening. */
  address(): { address: string; family: string; port: number } | string | null {
    const a = this.bound
    if (a === null) return null
    return 'path' in a ? a.path : { address: a.address, family: a.family, port: a.port }
  }

  /** Stop accepting; 'close' follows once every connection has closed. */
  close(cb?: (err?: Error) => void): this {
    this.listeningId++
    if (typeof cb === 'function') {
      if (this.core === undefined) this.once('close', () => cb(codeError(Error, 'ERR_SERVER_NOT_RUNNING', 'Server is not running.')))
      else this.once('close', cb)
    }
    if (this.core !== undefined) {
      void this.core.close() // stops accepting; the sockets close on their own terms
      this.core = undefined
      this.bound = null
    }
    this._emitCloseIfDrained()
    return this
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    process.nextTick(cb, null, this._connections)
    return this
  }

  /** Keep the process alive while listening (the default). */
  ref(): this {
    this.refed = true
    this.core?.ref()
    return this
  }

  /** Let the process exit while this server listens (its sockets have their own ref()). */
  unref(): this {
    this.refed = false
    this.core?.unref()
    return this
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.core === undefined) return
    await new Promise<void>((resolve) => this.close(() => resolve()))
  }

  /** @internal */
  _emitCloseIfDrained(): void {
    if (this.core !== undefined || this._connections > 0) return
    process.nextTick(() => this.emit('close'))
  }

  /**
   * @internal Who counts the accepted sockets, applies maxConnections and hears 'connection' and
   * 'drop': this server, or the http.Server that ringpoll/http serves.
   */
  protected owner(): ConnectionOwner {
    return this
  }

  private accept(conn: Connection): void {
    const owner = this.owner()
    if (owner.maxConnections && owner._connections >= owner.maxConnections) {
      // As net: the connection's addresses (none for a Unix socket), then the close.
      const local = conn.localAddress
      const dropped = conn.remoteAddress === undefined ? [] : [{
        localAddress: local,
        localPort: conn.localPort,
        localFamily: local === undefined ? undefined : isIP(local) === 6 ? 'IPv6' : 'IPv4',
        remoteAddress: conn.remoteAddress,
        remotePort: conn.remotePort,
        remoteFamily: conn.remoteFamily,
      }]
      owner.emit('drop', ...dropped)
      conn.close()
      return
    }
    const socket = new Socket({
      allowHalfOpen: this.allowHalfOpen,
      pauseOnCreate: this.pauseOnConnect,
      noDelay: this.noDelay,
      keepAlive: this.keepAlive,
      keepAliveInitialDelay: this.keepAliveInitialDelay * 1000,
      readableHighWaterMark: this.highWaterMark,
      writableHighWaterMark: this.highWaterMark,
    })
    socket._attach(conn)
    owner._connections++
    socket.server = owner
    socket._server = owner
    try {
      owner.emit('connection', socket)
    } catch (err) {
      // As under net: a listener's exception is uncaught, the connection stays.
      process.nextTick(() => {
        throw err
      })
    }
  }
}

function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined
  if (signal === null || typeof signal !== 'object' || !('aborted' in signal)) {
    throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "options.signal" property must be an instance of AbortSignal. Received ${typeof signal}`)
  }
  return signal as AbortSignal
}

/** @internal A server that owns accepted sockets (a ringpoll/net Server, or node's http.Server). */
export interface ConnectionOwner extends SocketOwner {
  maxConnections?: number | undefined
  emit(event: string, ...args: unknown[]): boolean
}

function listenTarget(options: ListenOptions): CoreListenOptions {
  const { backlog, ipv6Only, reusePort } = options
  const common = {
    backlog: typeof backlog === 'number' && backlog > 0 ? Math.min(Math.floor(backlog), 2 ** 31 - 1) : undefined,
    ipv6Only: ipv6Only === true,
    reusePort: reusePort === true,
  }
  if (typeof options.path === 'string' && options.path !== '' && (options.port === undefined || options.port === null)) {
    return { path: options.path, ...common }
  }
  if (!('port' in options)) {
    throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The argument \'options\' must have the property "port" or "path"')
  }
  const port = options.port === undefined || options.port === null ? 0 : validPort(options.port, 'options.port')
  return { port, host: options.host || undefined, ...common }
}

export type { NetError }
