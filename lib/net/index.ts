// ringpoll/net: node:net's server and socket API on the ringpoll reactor.
import { isIP, isIPv4, isIPv6 } from 'node:net'
import { connectArgs, type ConnectOptions } from './args.js'
import { Server, type ServerOptions } from './server.js'
import { Socket, type SocketOptions } from './socket.js'

export function createServer(options?: ServerOptions | ((socket: Socket) => void), connectionListener?: (socket: Socket) => void): Server {
  return new Server(options, connectionListener)
}

/** connect(options[, cb]), connect(port[, host][, cb]), connect(path[, cb]): a connecting Socket. */
export function connect(options: ConnectOptions, connectListener?: () => void): Socket
export function connect(port: number, host?: string, connectListener?: () => void): Socket
export function connect(port: number, connectListener: () => void): Socket
export function connect(path: string, connectListener?: () => void): Socket
export function connect(...args: unknown[]): Socket {
  const [options] = connectArgs([...args])
  const socket = new Socket(options)
  // The arguments, checked against connect()'s overloads, are one of socket.connect()'s forms.
  return (socket.connect as (...forms: unknown[]) => Socket).apply(socket, args)
}

export const createConnection = connect

export { Server, Socket, Socket as Stream, isIP, isIPv4, isIPv6 }
export type { ServerOptions, SocketOptions }
export type { ConnectOptions, TcpConnectOptions, IpcConnectOptions, ListenOptions, TcpListenOptions, IpcListenOptions } from './args.js'
export type { NetError } from './errors.js'
