// The ESM entry: the same objects as the CommonJS one, so both can be used in one process.
export { createServer, Server, connect, Connection, Reader, Writer, RingpollError, stats } from './index.js'
export type {
  ServerOptions,
  ListenOptions,
  InetListenOptions,
  UnixListenOptions,
  CloseOptions,
  ConnectTarget,
  InetConnectTarget,
  UnixConnectTarget,
  Handlers,
  ConnectionOptions,
  Backend,
  Transport,
  Address,
  InetAddress,
  UnixAddress,
  Stats,
} from './index.js'
