import { getSystemErrorName } from 'node:util'

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

export function closedError(): RingpollError {
  return new RingpollError('ERR_CLOSED', 'the connection is closed')
}

export function timeoutError(what: string): RingpollError {
  return new RingpollError('ETIMEDOUT', `${what} timed out`)
}
