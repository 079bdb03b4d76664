// Turning the address arguments of listen() and connect() into what the binding takes.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { badPort, invalidArgType, invalidArgValue, outOfRange } from './errors.js'

export interface InetTarget {
  host: string
  port: number
}

export function checkPort(port: unknown): number {
  if (typeof port !== 'number') throw invalidArgType('options.port', 'of type number', port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw badPort('options.port', port)
  return port
}

export function checkPath(path: unknown): string {
  if (typeof path !== 'string') throw invalidArgType('options.path', 'of type string', path)
  if (path.length === 0) throw invalidArgValue('options.path', path, 'must be a non-empty string')
  if (path.includes('\0')) throw invalidArgValue('options.path', path, 'must be a string without null bytes')
  const n = Buffer.byteLength(path)
  if (n > 107) throw outOfRange('options.path', 'at most 107 bytes long (a Unix socket path)', `${n} bytes`)
  return path
}

/** The IP literals a host stands for: itself if it is one, else what dns.lookup returns. */
export async function resolveHost(host: unknown): Promise<string[]> {
  if (typeof host !== 'string') throw invalidArgType('options.host', 'of type string', host)
  if (host.length === 0) throw invalidArgValue('options.host', host, 'must be a non-empty string')
  if (isIP(host) !== 0) return [host]
  const found = await lookup(host, { all: true })
  return found.map((a) => a.address)
}
