// ringpoll/net: node:net's server and socket API on the ringpoll reactor.
import { isIP, isIPv4, isIPv6 } from 'node:net'
import { connectArgs } from './args.js'
import { Server as ServerClass, type ServerOptions } from './server.js'
import { Socket as SocketClass, type SocketOptions } from './socket.js'

/** As in net, Server() and Socket() also construct when called without `new`. */
function callable<C extends new (...args: any[]) => object>(Class: C): C {
  return new Proxy(Class, { apply: (target, _this, args) => new target(...args) })
}

export const Server = callable(ServerClass)
export type Server = ServerClass
export const Socket = callable(SocketClass)
export type Socket = SocketClass

export function createServer(options?: ServerOptions | ((socket: Socket) => void), connectionListener?: (socket: Socket) => void): Server {
  return new Server(options, connectionListener)
}

/** connect(options[, cb]), connect(port[, host][, cb]), connect(path[, cb]): a connecting Socket. */
export function connect(...args: unknown[]): Socket {
  const [options] = connectArgs([...args])
  return new Socket(options).connect(...args)
}

export const createConnection = connect

export { Socket as Stream, isIP, isIPv4, isIPv6 }
export type { ServerOptions, SocketOptions }
export type { ConnectOptions, ListenOptions } from './args.js'
export type { NetError } from './errors.js'
