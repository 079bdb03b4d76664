// Argument checks shared by the raw API. A leaf: it imports nothing of ringpoll's, so every other
// module can use it without joining an import circle.

export type Backend = 'auto' | 'epoll' | 'io_uring'
const BACKENDS: readonly string[] = ['auto', 'epoll', 'io_uring']

export function checkBackend(value: unknown, name: string): Backend {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`)
  if (!BACKENDS.includes(value)) throw new RangeError(`${name} must be 'auto', 'epoll' or 'io_uring', got '${value}'`)
  return value as Backend
}

export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`)
  }
  return value
}

export function checkBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`)
  return value
}

export function checkPort(port: unknown): number {
  return checkInteger(port, 'port', 0, 65535)
}

export function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string')
  if (path.includes('\0')) throw new TypeError('path must not contain null bytes')
  if (Buffer.byteLength(path) > 107) throw new RangeError(`path is too long for a Unix socket (107 bytes at most): ${path}`)
  return path
}
