// createServer: a listener on the reactor whose accepted connections share handlers and options.
import { isIP } from 'node:net'
import { constants } from 'node:os'
import { binding, type Address, type InetAddress, type UnixAddress } from './native.js'
import { Connection, type HandlerSet } from './connection.js'
import { RingpollError, listenError, timeoutError } from './errors.js'
import { resolveHost } from './address.js'
import { checkHandlers, checkOptions, type ConnectionOptions, type Handlers } from './options.js'
import { checkInteger, checkObject, checkPath, checkPort, checkShm } from './validate.js'
import { reactor, type Reactor, type Transport } from './reactor.js'
import type { NativeOptions } from './native.js'

/** `Context` is the type of each connection's `context` slot. */
export type ServerOptions<Context = unknown> = Handlers<Context> & ConnectionOptions

/** listen() on a port (0 or none: one the kernel picks), on `host` or every interface. */
export interface InetListenOptions {
  port?: number
  host?: string
  backlog?: number
  reusePort?: boolean
  ipv6Only?: boolean
  path?: undefined
  /** Unix sockets only: a TypeError (ERR_INVALID_ARG_VALUE) here. */
  shm?: false
}

/** listen() on a Unix socket (reusePort and ipv6Only do not apply to one and are ignored). */
export interface UnixListenOptions {
  path: string
  /**
   * Offer clients a shared-memory lane (README, "Shared memory"): a client that connects with
   * `shm: true` gets one (`conn.transport === 'shm'`), any other client a plain Unix connection.
   */
  shm?: boolean
  backlog?: number
  reusePort?: boolean
  ipv6Only?: boolean
  port?: undefined
  host?: undefined
}

export type ListenOptions = InetListenOptions | UnixListenOptions

export interface CloseOptions {
  /** ms after which connections still open are closed (their onClose gets ETIMEDOUT). */
  timeout?: number
}

export class Server<Context = unknown> {
  private readonly handlers: HandlerSet<Context>
  private readonly options: NativeOptions
  private readonly open = new Set<Connection<Context>>()
  private listenerId = -1
  private listening = false
  private bound: Address | null = null
  private closing: Promise<void> | undefined
  private allClosed: (() => void) | undefined
  private refed = true
  private readonly reactor: Reactor

  constructor(options: ServerOptions<Context>) {
    this.handlers = checkHandlers(checkObject(options, 'options'))
    this.options = checkOptions(options)
    this.reactor = reactor()
  }

  /** Number of open connections. */
  get connections(): number {
    return this.open.size
  }

  address(): Address | null {
    return this.bound
  }

  /** The backend this server's connections run on, once listening ('epoll' | 'io_uring'). */
  get backend(): 'epoll' | 'io_uring' | null {
    return this.listenerId < 0 ? null : binding.listenerBackend(this.listenerId)
  }

  /** Resolves to the address listened on: `{ address, family, port }`, or `{ path }` for a path. */
  listen(options: UnixListenOptions): Promise<UnixAddress>
  listen(options?: InetListenOptions): Promise<InetAddress>
  listen(options?: ListenOptions): Promise<Address>
  async listen(options: ListenOptions = {}): Promise<Address> {
    checkObject(options, 'options')
    if (this.listening || this.closing) throw new RingpollError('ERR_SERVER_ALREADY_LISTEN', 'listen() was already called')
    this.listening = true
    try {
      return await this.bind(options)
    } catch (err) {
      this.listening = false
      throw err
    }
  }

  private async bind(options: ListenOptions): Promise<Address> {
    const backlog = options.backlog === undefined ? 511 : checkInteger(options.backlog, 'options.backlog', 0, 2 ** 31 - 1)
    const reusePort = options.reusePort === true
    const ipv6Only = options.ipv6Only === true
    const shm = checkShm(options.shm, options.path)
    let rc: number
    if (options.path !== undefined) {
      const path = checkPath(options.path)
      rc = binding.listen(path, null, 0, backlog, false, false, shm ? { ...this.options, shm } : this.options)
      if (rc < 0) throw listenError(-rc, path)
    } else {
      const port = options.port === undefined ? 0 : checkPort(options.port)
      // No await unless a host name needs a lookup: the bind then happens within listen(), and
      // address() answers at once, as node:net's does.
      let host = options.host === undefined ? '::' : isIP(options.host) !== 0 ? options.host : (await resolveHost(options.host))[0]!
      // close() while the host was being looked up: nothing is bound (it would outlive the close).
      if (this.closing) throw new RingpollError('ERR_SERVER_NOT_RUNNING', 'close() was called before the listen completed')
      rc = binding.listen(null, host, port, backlog, reusePort, ipv6Only, this.options)
      // Without a host, as node:net does: every interface over IPv6, or IPv4 where there is none.
      if (options.host === undefined && rc === -constants.errno.EAFNOSUPPORT) {
        host = '0.0.0.0'
        rc = binding.listen(null, host, port, backlog, reusePort, ipv6Only, this.options)
      }
      if (rc < 0) throw listenError(-rc, host, port)
    }
    this.listenerId = rc
    if (!this.refed) binding.refListener(rc, false)
    this.reactor.attachListener(rc, this)
    this.bound = binding.listenerAddress(rc)
    return this.bound!
  }

  /** Keep the event loop alive while listening (the default); its connections have their own ref(). */
  ref(): this {
    this.refed = true
    if (this.listenerId >= 0) binding.refListener(this.listenerId, true)
    return this
  }

  /** Let the process exit while this server listens (before or after listen()). */
  unref(): this {
    this.refed = false
    if (this.listenerId >= 0) binding.refListener(this.listenerId, false)
    return this
  }

  /** Stop accepting; resolves once every connection has closed. */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.closing) return this.closing
    const timeout = options.timeout === undefined ? undefined : checkInteger(options.timeout, 'options.timeout', 0, 2 ** 31 - 1)
    if (this.listenerId >= 0) {
      binding.closeListener(this.listenerId)
      this.reactor.detachListener(this.listenerId)
      this.listenerId = -1
    }
    this.closing = new Promise<void>((resolve) => {
      if (this.open.size === 0) return resolve()
      let timer: NodeJS.Timeout | undefined
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          for (const conn of this.open) conn.close(timeoutError('server.close()'))
        }, timeout)
        timer.unref()
      }
      this.allClosed = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    return this.closing
  }

  /** Closes the server as close() does (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** @internal The reactor's ACCEPT for this listener. */
  _accept(id: number, transport: Transport): void {
    const conn = Connection._create(this.reactor, id, this.handlers, this.options.highWaterMark, () => this.forget(conn))
    this.open.add(conn)
    conn._connected(transport)
  }

  private forget(conn: Connection<Context>): void {
    this.open.delete(conn)
    if (this.open.size === 0) this.allClosed?.()
  }
}

export function createServer<Context = unknown>(options: ServerOptions<Context>): Server<Context> {
  return new Server(options)
}
