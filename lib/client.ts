// connect(): a client connection on the reactor, resolved once established.
import { binding } from './native.js'
import { Connection } from './connection.js'
import { errnoError, missingArgs } from './errors.js'
import { resolveHost } from './address.js'
import { checkHandlers, checkOptions, type ConnectionOptions, type Handlers } from './options.js'
import { checkInteger, checkObject, checkPath, checkPort, checkShm } from './validate.js'
import { reactor } from './reactor.js'

/** connect() to a port on `host` (default 'localhost'). */
export interface InetConnectTarget {
  port: number
  host?: string
  /** Connect timeout in ms (default: none); the promise rejects with ETIMEDOUT. */
  timeout?: number
  path?: undefined
  /** Unix sockets only: a TypeError (ERR_INVALID_ARG_VALUE) here. */
  shm?: false
}

/** connect() to a Unix socket. */
export interface UnixConnectTarget {
  path: string
  /** Connect timeout in ms (default: none); the promise rejects with ETIMEDOUT (it covers the shm
   * handshake too). */
  timeout?: number
  /**
   * Ask the server for a shared-memory lane (README, "Shared memory"). The connection is reported
   * once the server has answered: 'shm' if it agreed, else a plain 'unix' one. A server listening
   * without `shm` never answers: do not use it against one.
   */
  shm?: boolean
  port?: undefined
  host?: undefined
}

export type ConnectTarget = InetConnectTarget | UnixConnectTarget

/** `Context` is the type of the connection's `context` slot. */
export async function connect<Context = unknown>(
  target: ConnectTarget,
  handlers: Handlers<Context> & ConnectionOptions = {},
): Promise<Connection<Context>> {
  checkObject(target, 'target')
  const set = checkHandlers(checkObject(handlers, 'options'))
  const options = checkOptions(handlers)
  const timeout = target.timeout === undefined ? 0 : checkInteger(target.timeout, 'target.timeout', 1, 2 ** 32 - 1)
  const shm = checkShm(target.shm, target.path, 'target.shm')
  const r = reactor()
  const attempt = (path: string | null, host: string | null, port: number): Promise<Connection<Context>> => {
    const address = path ?? `${host}:${port}`
    const rc = binding.connect(path, host, port, timeout, shm ? { ...options, shm } : options)
    if (rc < 0) return Promise.reject(errnoError(-rc, 'connect', address))
    return new Promise((resolve, reject) => {
      Connection._create(r, rc, set, options.highWaterMark, () => {}, { resolve, reject, target: address })
    })
  }
  if (target.path !== undefined) return attempt(checkPath(target.path), null, 0)
  if (target.port === undefined) throw missingArgs('target.port', 'target.path')
  const port = checkPort(target.port)
  const hosts = await resolveHost(target.host ?? 'localhost')
  // Like net's autoSelectFamily, in order: 'localhost' may be ::1 while the server is on 127.0.0.1.
  let lastError: unknown
  for (const host of hosts) {
    try {
      return await attempt(null, host, port)
    } catch (err) {
      lastError = err
    }
  }
  throw lastError
}
