export {
  createServer,
  Server,
  type ServerOptions,
  type ListenOptions,
  type InetListenOptions,
  type UnixListenOptions,
  type CloseOptions,
} from './server.js'
export { connect, type ConnectTarget, type InetConnectTarget, type UnixConnectTarget } from './client.js'
export { Connection } from './connection.js'
export { Reader } from './reader.js'
export { Writer } from './writer.js'
export { RingpollError } from './errors.js'
export type { Handlers, ConnectionOptions } from './options.js'
export type { Backend } from './validate.js'
export type { Transport } from './reactor.js'
export type { Address, InetAddress, UnixAddress } from './native.js'
export { stats, type Stats } from './stats.js'
