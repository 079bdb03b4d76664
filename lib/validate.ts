// Argument checks shared by the raw API, with node's error codes. A leaf: it imports only the
// error constructors of errors.ts (itself a leaf), so every module can use it without an import circle.
import { badPort, invalidArgType, invalidArgValue, outOfRange } from './errors.js'

export type Backend = 'auto' | 'epoll' | 'io_uring'
const BACKENDS: readonly string[] = ['auto', 'epoll', 'io_uring']

export function checkBackend(value: unknown, name: string): Backend {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value)
  if (!BACKENDS.includes(value)) throw invalidArgValue(name, value, "must be one of: 'auto', 'epoll', 'io_uring'")
  return value as Backend
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

export function checkPort(port: unknown): number {
  if (typeof port !== 'number') throw invalidArgType('options.port', 'of type number', port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw badPort('options.port', port)
  return port
}

/** `shm` of a listen or connect: a boolean, true only with a path (a Unix socket). */
export function checkShm(shm: unknown, path: unknown, name = 'options.shm'): boolean {
  const on = checkBoolean(shm, name, false)
  if (on && path === undefined) throw invalidArgValue(name, shm, 'is for Unix sockets only (with a path)')
  return on
}

export function checkPath(path: unknown): string {
  if (typeof path !== 'string') throw invalidArgType('options.path', 'of type string', path)
  if (path.length === 0) throw invalidArgValue('options.path', path, 'must be a non-empty string')
  if (path.includes('\0')) throw invalidArgValue('options.path', path, 'must be a string without null bytes')
  const n = Buffer.byteLength(path)
  if (n > 107) throw outOfRange('options.path', 'at most 107 bytes long (a Unix socket path)', `${n} bytes`)
  return path
}
