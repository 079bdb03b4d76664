// connect(): a client connection on the reactor, resolved once established.
import { binding } from './native.js'
import { Connection } from './connection.js'
import { errnoError, missingArgs } from './errors.js'
import { checkPath, checkPort, resolveHost } from './address.js'
import { checkHandlers, checkInteger, checkObject, checkOptions, type ConnectionOptions, type Handlers } from './options.js'
import { reactor } from './reactor.js'

export interface ConnectTarget {
  port?: number
  host?: string
  path?: string
  /** Connect timeout in ms (default: none); the promise rejects with ETIMEDOUT. */
  timeout?: number
}

export async function connect(target: ConnectTarget, handlers: Handlers & ConnectionOptions = {}): Promise<Connection> {
  checkObject(target, 'target')
  const set = checkHandlers(checkObject(handlers, 'options'))
  const options = checkOptions(handlers)
  const timeout = target.timeout === undefined ? 0 : checkInteger(target.timeout, 'target.timeout', 1, 2 ** 32 - 1)
  const r = reactor()
  const attempt = (path: string | null, host: string | null, port: number): Promise<Connection> => {
    const address = path ?? `${host}:${port}`
    const rc = binding.connect(path, host, port, timeout, options)
    if (rc < 0) return Promise.reject(errnoError(-rc, 'connect', address))
    return new Promise((resolve, reject) => {
      new Connection(r, rc, set, options.highWaterMark, () => {}, { resolve, reject, target: address })
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
