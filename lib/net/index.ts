// ringpoll/net: node:net's server and socket API on the ringpoll reactor.
import { isIP, isIPv4, isIPv6 } from 'node:net'
import { connectArgs } from './args.js'
import { Server, type ServerOptions } from './server.js'
import { Socket, type SocketOptions } from './socket.js'

export function createServer(options?: ServerOptions | ((socket: Socket) => void), connectionListener?: (socket: Socket) => void): Server {
  return new Server(options, connectionListener)
}

/** connect(options[, cb]), connect(port[, host][, cb]), connect(path[, cb]): a connecting Socket. */
export function connect(...args: unknown[]): Socket {
  const [options] = connectArgs([...args])
  return new Socket(options).connect(...args)
}

export const createConnection = connect

export { Server, Socket, Socket as Stream, isIP, isIPv4, isIPv6 }
export type { ServerOptions, SocketOptions }
export type { ConnectOptions, ListenOptions } from './args.js'
export type { NetError } from './errors.js'
