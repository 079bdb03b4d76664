// Host names of listen() and connect() turned into the IP literals the binding takes.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { invalidArgType, invalidArgValue } from './errors.js'

/** The IP literals a host stands for: itself if it is one, else what dns.lookup returns. */
export async function resolveHost(host: unknown): Promise<string[]> {
  if (typeof host !== 'string') throw invalidArgType('options.host', 'of type string', host)
  if (host.length === 0) throw invalidArgValue('options.host', host, 'must be a non-empty string')
  if (isIP(host) !== 0) return [host]
  const found = await lookup(host, { all: true })
  return found.map((a) => a.address)
}
