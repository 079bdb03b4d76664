// The ESM entry of ringpoll/net: the same objects as the CommonJS one.
export { createServer, connect, createConnection, Server, Socket, Stream, isIP, isIPv4, isIPv6 } from './index.js'
export type {
  ServerOptions,
  SocketOptions,
  ConnectOptions,
  TcpConnectOptions,
  IpcConnectOptions,
  ListenOptions,
  TcpListenOptions,
  IpcListenOptions,
  NetError,
} from './index.js'
