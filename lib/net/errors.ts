// Errors shaped as node:net makes them: the same codes, messages, and errno/syscall/address/port
// fields, so code that inspects `err.code` (or logs the message) sees what it would under net.
import { getSystemErrorMap } from 'node:util'

export interface NetError extends Error {
  code: string
  errno?: number
  syscall?: string
  address?: string
  port?: number
}

let systemErrors: Map<number, [string, string]> | undefined

/** The errno (negative, as Node gives it) and description of a code such as 'EADDRINUSE'. */
function describe(code: string): { errno: number | undefined; text: string } {
  systemErrors ??= getSystemErrorMap()
  for (const [errno, [name, text]] of systemErrors) if (name === code) return { errno, text }
  return { errno: undefined, text: code }
}

function withFields(err: Error, code: string, errno: number | undefined, syscall: string, address?: string, port?: number): NetError {
  const e = err as NetError
  e.code = code
  if (errno !== undefined) e.errno = errno
  e.syscall = syscall
  if (address !== undefined) e.address = address
  if (port !== undefined && port !== 0) e.port = port
  return e
}

/** As net's read/write/connect errors: "connect ECONNREFUSED 127.0.0.1:80". */
export function systemError(code: string, syscall: string, address?: string, port?: number): NetError {
  const where = address === undefined ? '' : port ? ` ${address}:${port}` : ` ${address}`
  return withFields(new Error(`${syscall} ${code}${where}`), code, describe(code).errno, syscall, address, port)
}

/** As net's listen errors: "listen EADDRINUSE: address already in use 127.0.0.1:80". */
export function listenError(code: string, address: string, port?: number): NetError {
  const { errno, text } = describe(code)
  const where = port === undefined ? address : `${address}:${port}`
  return withFields(new Error(`listen ${code}: ${text} ${where}`), code, errno, 'listen', address, port)
}

/** An error with one of Node's ERR_* codes. */
export function codeError<E extends Error>(Type: new (message: string) => E, code: string, message: string): E & { code: string } {
  const err = new Type(message) as E & { code: string }
  err.code = code
  return err
}

/** A ringpoll close error (code, errno) re-made as net would report it. */
export function fromCoreError(err: Error & { code?: string }): NetError {
  const code = err.code
  if (code === undefined || !/^E[A-Z0-9]+$/.test(code)) return err as NetError
  // net names the call that failed; a reset or a broken pipe is what the peer's close gives.
  return systemError(code, code === 'EPIPE' ? 'write' : 'read')
}
