// A net.Server work-alike: listen() in net's forms, 'listening'/'connection'/'close'/'error'
// events, connection counting, close(cb). Each listen() runs a ringpoll server underneath whose
// accepted connections become Sockets.
import { EventEmitter } from 'node:events'
import { createServer as createCoreServer, type Server as CoreServer, type ListenOptions as CoreListenOptions } from '../server.js'
import type { Connection } from '../connection.js'
import type { Address } from '../native.js'
import { listenArgs, validPort, type ListenOptions } from './args.js'
import { codeError, listenError, type NetError } from './errors.js'
import { Socket, socketHandlers } from './socket.js'

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
    core.listen(target).then(
      (address) => {
        if (id !== this.listeningId) return void core.close()
        this.bound = address
        // Out of the promise, so a listener's exception is uncaught, as under net.
        process.nextTick(() => this.emit('listening'))
      },
      (err: Error & { code?: string }) => {
        if (id !== this.listeningId) return
        this.core = undefined
        const where = target.path ?? target.host ?? '::'
        const port = target.path === undefined ? target.port : undefined
        process.nextTick(() => this.emit('error', err.code?.startsWith('E') ? listenError(err.code, where, port) : err))
      },
    )
    return this
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

  /** Accepted for compatibility; not effective yet (see Socket.ref). */
  ref(): this {
    return this
  }

  unref(): this {
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

  private accept(conn: Connection): void {
    if (this.maxConnections !== undefined && this.maxConnections > 0 && this._connections >= this.maxConnections) {
      const dropped = {
        localAddress: conn.localAddress,
        localPort: conn.localPort,
        remoteAddress: conn.remoteAddress,
        remotePort: conn.remotePort,
        remoteFamily: conn.remoteFamily,
      }
      conn.close()
      this.emit('drop', dropped)
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
    this._connections++
    socket.server = this
    socket._server = this
    try {
      this.emit('connection', socket)
    } catch (err) {
      // As under net: a listener's exception is uncaught, the connection stays.
      process.nextTick(() => {
        throw err
      })
    }
  }
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
