import { getSystemErrorMap, getSystemErrorName } from 'node:util'

/** An error with a `code`, as node:net gives them: ERR_CLOSED, ECONNRESET, ETIMEDOUT, ... */
export class RingpollError extends Error {
  readonly code: string
  readonly errno?: number
  readonly syscall?: string

  constructor(code: string, message: string, errno?: number, syscall?: string) {
    super(message)
    this.name = 'RingpollError'
    this.code = code
    if (errno !== undefined) this.errno = errno
    if (syscall !== undefined) this.syscall = syscall
  }
}

/** An error for a positive errno from a syscall, named the way Node names them. */
export function errnoError(errno: number, syscall: string, detail?: string): RingpollError {
  const code = getSystemErrorName(-errno)
  return new RingpollError(code, `${syscall} ${code}${detail ? ' ' + detail : ''}`, -errno, syscall)
}

/** A listen that failed, worded as node's: `listen EADDRINUSE: address already in use 127.0.0.1:8080`. */
export function listenError(errno: number, address: string, port?: number): RingpollError {
  const [code, text] = getSystemErrorMap().get(-errno) ?? [getSystemErrorName(-errno), 'unknown error']
  const where = port === undefined ? address : `${address}:${port}`
  return Object.assign(new RingpollError(code, `listen ${code}: ${text} ${where}`, -errno, 'listen'), { address, ...(port === undefined ? {} : { port }) })
}

export function closedError(): RingpollError {
  return new RingpollError('ERR_CLOSED', 'the connection is closed')
}

export function timeoutError(what: string): RingpollError {
  return new RingpollError('ETIMEDOUT', `${what} timed out`)
}

/** Node's error for a write or end() after the application's own close(). */
export function destroyedError(method: string): RingpollError {
  return new RingpollError('ERR_STREAM_DESTROYED', `Cannot call ${method} after a stream was destroyed`)
}

/** Node's error for a write after the application's own end(). */
export function writeAfterEndError(): RingpollError {
  return new RingpollError('ERR_STREAM_WRITE_AFTER_END', 'write after end')
}

// ---- argument errors, as node words them (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ...) ----

/** An error of node's kind (TypeError, RangeError) carrying node's `code`. */
function codedError<E extends Error>(Kind: new (message: string) => E, code: string, message: string): E & { code: string } {
  return Object.assign(new Kind(message), { code })
}

/** How node describes a received value in an argument error. */
export function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return ` Received ${value}`
  if (typeof value === 'function') return ` Received function ${value.name || '<anonymous>'}`
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name
    return name ? ` Received an instance of ${name}` : ` Received ${inspectShort(value)}`
  }
  return ` Received type ${typeof value} (${inspectShort(value)})`
}

function inspectShort(value: unknown): string {
  let s = typeof value === 'string' ? `'${value}'` : typeof value === 'bigint' ? `${value}n` : String(value)
  if (typeof value === 'object') s = JSON.stringify(value) ?? String(value)
  return s.length > 28 ? `${s.slice(0, 25)}...` : s
}

/** `name` is an argument ("port") or a property ("options.port"), as in node's messages. */
function subject(name: string): string {
  return name.includes('.') ? `The "${name}" property` : `The "${name}" argument`
}

/** ERR_INVALID_ARG_TYPE: `expected` as node words it ("of type number", "an instance of Buffer"). */
export function invalidArgType(name: string, expected: string, actual: unknown): TypeError {
  return codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `${subject(name)} must be ${expected}.${describeReceived(actual)}`)
}

/** ERR_OUT_OF_RANGE: `range` as node words it (">= 0 && <= 65535", "an integer"). */
export function outOfRange(name: string, range: string, actual: unknown): RangeError {
  return codedError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${String(actual)}`)
}

/** ERR_INVALID_ARG_VALUE: a value of the right type that is not allowed. */
export function invalidArgValue(name: string, actual: unknown, reason = 'is invalid'): TypeError {
  const kind = name.includes('.') ? 'property' : 'argument'
  return codedError(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${kind} '${name}' ${reason}. Received ${inspectShort(actual)}`)
}

/** ERR_UNKNOWN_ENCODING, as Buffer and net.Socket throw it. */
export function unknownEncoding(encoding: unknown): TypeError {
  return codedError(TypeError, 'ERR_UNKNOWN_ENCODING', `Unknown encoding: ${String(encoding)}`)
}

/** ERR_SOCKET_BAD_PORT, as net words it. */
export function badPort(name: string, port: unknown): RangeError {
  return codedError(RangeError, 'ERR_SOCKET_BAD_PORT', `${name} should be >= 0 and < 65536.${describeReceived(port)}.`)
}

/** ERR_MISSING_ARGS: `names` are the arguments of which one is needed. */
export function missingArgs(...names: string[]): TypeError {
  return codedError(TypeError, 'ERR_MISSING_ARGS', `The ${names.map((n) => `"${n}"`).join(' or ')} argument must be specified`)
}
