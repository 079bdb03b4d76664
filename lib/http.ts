// ringpoll/http: an existing node:http server (and so an Express, Koa or plain handler app) served
// on ringpoll sockets. node:http takes any Duplex through its 'connection' event; this listens
// with ringpoll/net and hands it each socket.
import type { Server as HttpServer } from 'node:http'
import { Server } from './net/server.js'
import { codeError } from './net/errors.js'
import type { Socket } from './net/socket.js'
import type { ListenOptions } from './net/args.js'

/** The ringpoll listener behind an http.Server; close() drains it as http.Server#close would. */
export class HttpListener extends Server {
  constructor(readonly httpServer: HttpServerFields) {
    // The options node:http gives its own net listener.
    super({
      allowHalfOpen: true,
      noDelay: httpServer.noDelay ?? true,
      keepAlive: httpServer.keepAlive,
      keepAliveInitialDelay: (httpServer.keepAliveInitialDelay ?? 0) * 1000,
      highWaterMark: httpServer.highWaterMark,
    })
    this.on('connection', (socket: Socket) => httpServer.emit('connection', socket))
    // 'listening' starts node:http's connection tracking (request and headers timeouts,
    // closeIdleConnections); the http server sees the events of its listener.
    this.on('listening', () => httpServer.emit('listening'))
    this.on('error', (err: Error) => httpServer.emit('error', err))
    this.once('close', () => {
      // Clears node:http's timeout checks and emits its 'close' (it has no listener of its own).
      httpServer.close()
    })
  }

  /** Stop accepting and close idle keep-alive connections; 'close' once the others are done. */
  override close(cb?: (err?: Error) => void): this {
    super.close(cb)
    this.httpServer.closeIdleConnections()
    return this
  }
}

type HttpServerFields = HttpServer & { noDelay?: boolean; keepAlive?: boolean; keepAliveInitialDelay?: number; highWaterMark?: number }

/**
 * Listens with ringpoll and serves `httpServer` on the accepted sockets. The arguments after it
 * are what net's server.listen() takes: a port, `{ port, host }`, `{ path }`, with an optional callback.
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
  const listener = new HttpListener(httpServer)
  // The arguments, checked against serve()'s overloads, are one of listen()'s forms.
  return (listener.listen as (...args: unknown[]) => HttpListener).apply(listener, listen)
}
