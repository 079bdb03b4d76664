// Handlers and per-connection options, checked once when a server or client is made.
import type { Connection, HandlerSet } from './connection.js'
import { invalidArgType } from './errors.js'
import type { NativeOptions } from './native.js'
import { checkBackend, checkBoolean, checkInteger, checkObject, type Backend } from './validate.js'

/** `Context` is the type of each connection's `context` slot. */
export interface Handlers<Context = unknown> {
  /** Accepted (server) or connected (client); may write at once. */
  onConnect?(conn: Connection<Context>): void
  /** conn.reader has unread bytes; called once per wake-up, not per chunk. */
  onData?(conn: Connection<Context>): void
  /** bufferedAmount fell below highWaterMark after a write returned false. */
  onDrain?(conn: Connection<Context>): void
  /** The peer sent FIN. With allowHalfOpen the write side stays open; else the close follows. */
  onEnd?(conn: Connection<Context>): void
  /**
   * Exactly once per connection; err is undefined for a clean close. ringpoll's errors (a
   * RingpollError) have a `code` and where known `errno` and `syscall`; close(err) passes err on.
   */
  onClose?(conn: Connection<Context>, err?: NodeJS.ErrnoException): void
  /**
   * A handler threw `err` (already passed to close(), so onClose receives it too). Without onError,
   * or when onError throws, the error surfaces as an uncaught exception once the current batch of
   * events has been delivered to the other connections (as a throwing listener does in node:net).
   */
  onError?(err: Error, conn: Connection<Context>): void
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

const HANDLERS = ['onConnect', 'onData', 'onDrain', 'onEnd', 'onClose'] as const
const noop = (): void => {}

export function checkHandlers<Context>(h: Handlers<Context>): HandlerSet<Context> {
  const out = {} as Record<(typeof HANDLERS)[number], unknown>
  for (const name of HANDLERS) {
    const fn = h[name]
    if (fn !== undefined && typeof fn !== 'function') throw invalidArgType(`options.${name}`, 'of type function', fn)
    out[name] = fn ?? noop
  }
  if (h.onError !== undefined && typeof h.onError !== 'function') throw invalidArgType('options.onError', 'of type function', h.onError)
  return { ...(out as Omit<HandlerSet<Context>, 'onError'>), onError: h.onError }
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
