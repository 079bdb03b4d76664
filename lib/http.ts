// ringpoll/http: an existing node:http server (and so an Express, Koa or plain handler app) served
// on ringpoll sockets. node:http takes any Duplex through its 'connection' event; this listens
// with ringpoll/net and hands it each socket.
//
// The http.Server is made to look like node's own listening server: it gets a handle-like
// `_handle` as soon as the listener is bound, so net.Server's own address(), listening, close(),
// ref() and unref() work on it, and test tools that close only servers with a `_handle`
// (supertest) close it. It counts the sockets itself (`_connections`, as net's onconnection does),
// so getConnections(), maxConnections with 'drop', and its 'close' after the last connection are
// net's own code too.
import type { Server as HttpServer } from 'node:http'
import type { Address } from './native.js'
import { Server, type ConnectionOwner } from './net/server.js'
import { codeError } from './net/errors.js'
import type { ListenOptions } from './net/args.js'

/** The internals of net.Server that a listening handle stands behind. */
type HttpServerFields = HttpServer & ConnectionOwner & {
  _handle: ListenerHandle | null
  _pipeName?: string
  _unref?: boolean
  noDelay?: boolean
  keepAlive?: boolean
  keepAliveInitialDelay?: number
  highWaterMark?: number
}

/** What net.Server's methods call on their handle: close, ref, unref, and getsockname for TCP. */
interface ListenerHandle {
  close(): void
  ref(): void
  unref(): void
  getsockname?(out: Record<string, unknown>): number
}

/** The ringpoll listener behind an http.Server; close() is the http server's close(). */
export class HttpListener extends Server {
  /** The http.Server served. */
  readonly httpServer: HttpServer
  /** The same server, seen through the net.Server internals this listener stands behind. */
  private readonly app: HttpServerFields
  private handle: ListenerHandle | undefined

  constructor(httpServer: HttpServer) {
    const app = httpServer as HttpServerFields
    // The options node:http gives its own net listener.
    super({
      allowHalfOpen: true,
      noDelay: app.noDelay ?? true,
      keepAlive: app.keepAlive,
      keepAliveInitialDelay: (app.keepAliveInitialDelay ?? 0) * 1000,
      highWaterMark: app.highWaterMark,
    })
    this.httpServer = app
    this.app = app
    // 'listening' starts node:http's connection tracking (request and headers timeouts,
    // closeIdleConnections). As net, only a server still listening hears it.
    this.on('listening', () => {
      if (this.handle !== undefined && app._handle === this.handle) app.emit('listening')
    })
    this.on('error', (err: Error) => app.emit('error', err))
  }

  /** Stop accepting and close idle keep-alive connections; 'close' once the others are done. */
  override close(cb?: (err?: Error) => void): this {
    if (this.handle !== undefined && this.app._handle === this.handle) this.app.close(cb)
    else super.close(cb) // not bound yet (a host name lookup), or closed already
    return this
  }

  /** @internal The http server counts the sockets and hears 'connection' and 'drop'. */
  protected override owner(): ConnectionOwner {
    return this.app
  }

  /** @internal Bound: the http server is listening from now on. */
  protected override bound_(address: Address): void {
    super.bound_(address)
    const app = this.app
    const handle: ListenerHandle = {
      close: () => this.stop(),
      ref: () => this.ref(),
      unref: () => this.unref(),
    }
    if ('path' in address) {
      app._pipeName = address.path
    } else {
      handle.getsockname = (out) => {
        Object.assign(out, { address: address.address, family: address.family, port: address.port })
        return 0
      }
    }
    this.handle = app._handle = handle
    if (app._unref) this.unref()
  }

  /** @internal 'close' is the http server's once bound (after its last connection). */
  override _emitCloseIfDrained(): void {
    if (this.handle === undefined) super._emitCloseIfDrained()
  }

  /** The http server's close() closes its handle: stop accepting, and close when it does. */
  private stop(): void {
    this.httpServer.once('close', () => this.emit('close'))
    super.close()
    this.handle = undefined
  }
}

/**
 * Listens with ringpoll and serves `httpServer` on the accepted sockets. `listen` takes what
 * net's server.listen() takes: a port, `{ port, host }`, `{ path }`, with an optional callback
 * (called as a 'listening' listener of the http server).
 */
export function serve(httpServer: HttpServer, port?: number | null, host?: string, backlog?: number, listeningListener?: () => void): HttpListener
export function serve(httpServer: HttpServer, port: number | null | undefined, host: string | undefined, listeningListener: () => void): HttpListener
export function serve(httpServer: HttpServer, port: number | null | undefined, backlog: number | undefined, listeningListener?: () => void): HttpListener
export function serve(httpServer: HttpServer, port: number | null | undefined, listeningListener: () => void): HttpListener
export function serve(httpServer: HttpServer, path: string, backlog?: number, listeningListener?: () => void): HttpListener
export function serve(httpServer: HttpServer, path: string, listeningListener: () => void): HttpListener
export function serve(httpServer: HttpServer, options: ListenOptions, listeningListener?: () => void): HttpListener
export function serve(httpServer: HttpServer, listeningListener: () => void): HttpListener
export function serve(httpServer: HttpServer, ...listen: unknown[]): HttpListener {
  if (httpServer === null || typeof httpServer !== 'object' || typeof (httpServer as HttpServer).closeIdleConnections !== 'function') {
    throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'serve() needs an http.Server (from node:http createServer)')
  }
  if ((httpServer as HttpServerFields)._handle) {
    throw codeError(Error, 'ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.')
  }
  const cb = typeof listen.at(-1) === 'function' ? (listen.pop() as () => void) : undefined
  const listener = new HttpListener(httpServer)
  // The arguments, checked against serve()'s overloads, are one of listen()'s forms.
  ;(listener.listen as (...args: unknown[]) => HttpListener).apply(listener, listen)
  if (cb) httpServer.once('listening', cb)
  return listener
}
