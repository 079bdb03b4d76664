// Turning the address arguments of listen() and connect() into what the binding takes.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { checkInteger } from './options.js'

export interface InetTarget {
  host: string
  port: number
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

/** The IP literals a host stands for: itself if it is one, else what dns.lookup returns. */
export async function resolveHost(host: unknown): Promise<string[]> {
  if (typeof host !== 'string' || host.length === 0) throw new TypeError('host must be a non-empty string')
  if (isIP(host) !== 0) return [host]
  const found = await lookup(host, { all: true })
  return found.map((a) => a.address)
}
