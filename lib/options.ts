// Handlers and per-connection options, checked once when a server or client is made.
import type { Connection } from './connection.js'
import { invalidArgType, invalidArgValue, outOfRange, type RingpollError } from './errors.js'
import type { NativeOptions } from './native.js'

export interface Handlers {
  /** Accepted (server) or connected (client); may write at once. */
  onConnect?(conn: Connection): void
  /** conn.reader has unread bytes; called once per wake-up, not per chunk. */
  onData?(conn: Connection): void
  /** bufferedAmount fell below highWaterMark after a write returned false. */
  onDrain?(conn: Connection): void
  /** The peer sent FIN. With allowHalfOpen the write side stays open; else the close follows. */
  onEnd?(conn: Connection): void
  /** Exactly once per connection; err is undefined for a clean close. */
  onClose?(conn: Connection, err?: RingpollError | Error): void
  /**
   * A handler threw `err` (already passed to close(), so onClose receives it too). Without onError,
   * or when onError throws, the error surfaces as an uncaught exception once the current batch of
   * events has been delivered to the other connections (as a throwing listener does in node:net).
   */
  onError?(err: Error, conn: Connection): void
}

export interface ConnectionOptions {
  /** ms without reads or writes before closing with ETIMEDOUT; 0 = off. */
  idleTimeout?: number
  /** TCP_NODELAY (default true). */
  noDelay?: boolean
  /** Queued output, in bytes, past which write() returns false (default 1 MiB). */
  highWaterMark?: number
  /** Unreleased input, in bytes, past which the socket is not read (default 4 MiB). */
  maxInput?: number
  /** Keep the write side open after the peer's FIN (default false). */
  allowHalfOpen?: boolean
  /**
   * The I/O backend: 'epoll', 'io_uring', or 'auto' (the default: RINGPOLL_BACKEND if set, else
   * io_uring). io_uring falls back to epoll where the kernel refuses it; `server.backend` says which.
   */
  backend?: Backend
}

export type Backend = 'auto' | 'epoll' | 'io_uring'
const BACKENDS: readonly string[] = ['auto', 'epoll', 'io_uring']

export function checkBackend(value: unknown, name: string): Backend {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value)
  if (!BACKENDS.includes(value)) throw invalidArgValue(name, value, "must be one of: 'auto', 'epoll', 'io_uring'")
  return value as Backend
}

export type HandlerSet = Required<Omit<Handlers, 'onError'>> & Pick<Handlers, 'onError'>

const HANDLERS = ['onConnect', 'onData', 'onDrain', 'onEnd', 'onClose'] as const
const noop = (): void => {}

export function checkHandlers(h: Handlers): HandlerSet {
  const out = {} as Record<(typeof HANDLERS)[number], unknown>
  for (const name of HANDLERS) {
    const fn = h[name]
    if (fn !== undefined && typeof fn !== 'function') throw invalidArgType(`options.${name}`, 'of type function', fn)
    out[name] = fn ?? noop
  }
  if (h.onError !== undefined && typeof h.onError !== 'function') throw invalidArgType('options.onError', 'of type function', h.onError)
  return { ...(out as Omit<HandlerSet, 'onError'>), onError: h.onError }
}

/** `name` is an argument ("n") or a property ("options.port"), as node's messages say. */
export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value)
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value)
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value)
  return value
}

export function checkBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value)
  return value
}

/** An options object (a plain object, as node's validateObject takes it). */
export function checkObject<T>(value: T, name: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgType(name, 'of type object', value)
  return value
}

const MAX_U32 = 2 ** 32 - 1

export function checkOptions(o: ConnectionOptions): NativeOptions {
  checkObject(o, 'options')
  return {
    idleTimeout: o.idleTimeout === undefined ? 0 : checkInteger(o.idleTimeout, 'options.idleTimeout', 0, MAX_U32),
    noDelay: checkBoolean(o.noDelay, 'options.noDelay', true),
    highWaterMark: o.highWaterMark === undefined ? 1 << 20 : checkInteger(o.highWaterMark, 'options.highWaterMark', 1, MAX_U32),
    maxInput: o.maxInput === undefined ? 4 << 20 : checkInteger(o.maxInput, 'options.maxInput', 1, MAX_U32),
    allowHalfOpen: checkBoolean(o.allowHalfOpen, 'options.allowHalfOpen', false),
    backend: o.backend === undefined ? 'auto' : checkBackend(o.backend, 'options.backend'),
  }
}
