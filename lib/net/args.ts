// The argument forms of net's listen() and connect(), turned into one options object.
import { codeError } from './errors.js'

interface CommonListenOptions {
  backlog?: number
  ipv6Only?: boolean
  reusePort?: boolean
  exclusive?: boolean
}

/** listen({ port }): net needs the property, even when it is null or undefined (port 0). */
export interface TcpListenOptions extends CommonListenOptions {
  port: number | string | null | undefined
  host?: string
  path?: undefined
}

export interface IpcListenOptions extends CommonListenOptions {
  path: string
  port?: null
  host?: undefined
}

export type ListenOptions = TcpListenOptions | IpcListenOptions

interface CommonConnectOptions {
  timeout?: number
  allowHalfOpen?: boolean
  noDelay?: boolean
  keepAlive?: boolean
  keepAliveInitialDelay?: number
  highWaterMark?: number
  readableHighWaterMark?: number
  writableHighWaterMark?: number
}

export interface TcpConnectOptions extends CommonConnectOptions {
  port: number | string
  host?: string
  path?: undefined
}

export interface IpcConnectOptions extends CommonConnectOptions {
  path: string
  port?: undefined
  host?: undefined
}

export type ConnectOptions = TcpConnectOptions | IpcConnectOptions

type Callback = (...args: any[]) => void

/** A string that is not a number names a Unix socket, as in net. */
const isPath = (v: unknown): v is string => typeof v === 'string' && !(Number(v) >= 0)

function positive(v: unknown): number | undefined {
  const n = Number(v)
  return typeof v !== 'boolean' && n > 0 ? n : undefined
}

/** listen([port[, host[, backlog]]][, cb]), listen(path[, backlog][, cb]), listen(options[, cb]). */
export function listenArgs(args: unknown[]): [ListenOptions, Callback | undefined] {
  const cb = typeof args.at(-1) === 'function' ? (args.pop() as Callback) : undefined
  const [first, second, third] = args
  if (first !== null && typeof first === 'object') return [{ ...(first as ListenOptions) }, cb]
  if (isPath(first)) return [{ path: first, backlog: positive(second) }, cb]
  const options: ListenOptions = { port: (first as number | string | null | undefined) ?? 0 }
  if (typeof second === 'string') {
    options.host = second
    options.backlog = positive(third)
  } else {
    options.backlog = positive(second)
  }
  return [options, cb]
}

/** connect(options[, cb]), connect(port[, host][, cb]), connect(path[, cb]). */
export function connectArgs(args: unknown[]): [ConnectOptions, Callback | undefined] {
  const cb = typeof args.at(-1) === 'function' ? (args.pop() as Callback) : undefined
  const [first, second] = args
  if (first !== null && typeof first === 'object') return [{ ...(first as ConnectOptions) }, cb]
  if (isPath(first)) return [{ path: first }, cb]
  return [{ port: first as number | string, host: typeof second === 'string' ? second : undefined }, cb]
}

/** A port as net takes it: an integer from 0 to 65535, or a string of one. */
export function validPort(port: unknown, name: string, allowZero = true): number {
  const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535 || (!allowZero && n === 0)) {
    const shown = typeof port === 'string' ? `'${port}'` : String(port)
    throw codeError(RangeError, 'ERR_SOCKET_BAD_PORT', `${name} should be >= ${allowZero ? 0 : 1} and < 65536. Received ${typeof port} (${shown}).`)
  }
  return n
}
