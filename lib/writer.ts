// The writer: output goes into the connection's output chain in native memory, and the reactor
// sends it after the current batch of handlers (or before the loop next waits, for writes made
// elsewhere). Small writes are copied there; large Uint8Arrays are linked in place.
import { binding } from './native.js'
import { checkInteger } from './validate.js'
import { invalidArgType, unknownEncoding } from './errors.js'
import type { Reactor } from './reactor.js'

const MAX_WRITE = 2 ** 31 - 1
const INEXACT_LENGTH = /^(hex|base64|base64url)$/i

/** @internal What the writer needs of its connection. */
export interface WriterOwner {
  readonly id: number
  /** False once the reactor has let go of the connection. */
  readonly live: boolean
  /** False once the reactor has closed the connection (the write is dropped, onClose says why);
   * throws after the application's own end() or close(). */
  writable(): boolean
  /** n bytes were written after the reactor closed the connection, before JS heard of it. */
  dropped(n: number): void
}

/** What binding.write/writev/reserve return for a connection the reactor has closed. */
const CLOSED = -1

export class Writer {
  private readonly id: number

  private constructor(
    private readonly reactor: Reactor,
    private readonly owner: WriterOwner,
    private readonly highWaterMark: number,
  ) {
    this.id = owner.id
  }

  /** @internal Each connection makes its own. */
  static _create(reactor: Reactor, owner: WriterOwner, highWaterMark: number): Writer {
    return new Writer(reactor, owner, highWaterMark)
  }

  /** Bytes queued and not yet taken by the kernel. */
  get bufferedAmount(): number {
    return this.owner.live ? binding.bufferedAmount(this.id) : 0
  }

  /** A writable view of n bytes of output memory, queued as it is: fill it before the batch ends. */
  /** (On a connection the reactor has closed, memory that goes nowhere.) */
  malloc(n: number): Buffer {
    checkInteger(n, 'n', 0, MAX_WRITE)
    if (!this.owner.writable() || n === 0) return Buffer.alloc(n)
    if (n <= this.reactor.k.CHUNK_SIZE) {
      if (this.reactor.reserve(this.id, n) === CLOSED) {
        this.owner.dropped(n)
        return Buffer.alloc(n)
      }
      const offset = this.reactor.reservedOffset()
      return this.reactor.reservedChunk().subarray(offset, offset + n)
    }
    const buffer = Buffer.allocUnsafeSlow(n)
    this.queued(binding.write(this.id, buffer), n)
    return buffer
  }

  /** False when the output is past the high-water mark, or the connection has closed. */
  write(data: Uint8Array | string, encoding?: BufferEncoding): boolean {
    const bytes = typeof data === 'string' ? data : toBytes(data, 'data')
    if (!this.owner.writable()) return false
    if (typeof bytes === 'string') return this.writeString(bytes, encoding ?? 'utf8')
    return this.writeBytes(bytes)
  }

  /** Uint8Arrays and strings (utf8), queued together. */
  writev(chunks: readonly (Uint8Array | string)[]): boolean {
    if (!Array.isArray(chunks)) throw invalidArgType('chunks', 'an instance of Array', chunks)
    const list = chunks.map((c, i) => (typeof c === 'string' ? Buffer.from(c) : toBytes(c, `chunks[${i}]`)))
    if (!this.owner.writable()) return false
    return this.queued(binding.writev(this.id, list), list.reduce((n, b) => n + b.byteLength, 0))
  }

  /** Sends queued output now. */
  flush(): void {
    if (this.owner.live) binding.flush(this.id)
  }

  /** Whether the output is below the high-water mark after a write of n bytes that queued `amount`. */
  private queued(amount: number, n: number): boolean {
    if (amount !== CLOSED) return amount < this.highWaterMark
    this.owner.dropped(n)
    return false
  }

  private writeString(s: string, encoding: BufferEncoding): boolean {
    if (!Buffer.isEncoding(encoding)) throw unknownEncoding(encoding)
    // For hex and base64, byteLength is only an upper bound (invalid characters decode to
    // nothing): encode first, or reserved bytes would go out unwritten, showing stale memory.
    if (INEXACT_LENGTH.test(encoding)) return this.writeBytes(Buffer.from(s, encoding))
    const n = Buffer.byteLength(s, encoding)
    if (n === 0) return this.bufferedAmount < this.highWaterMark
    if (n > this.reactor.k.CHUNK_SIZE) return this.writeBytes(Buffer.from(s, encoding))
    const amount = this.reactor.reserve(this.id, n)
    if (amount !== CLOSED) this.reactor.reservedChunk().write(s, this.reactor.reservedOffset(), n, encoding)
    return this.queued(amount, n)
  }

  private writeBytes(bytes: Uint8Array): boolean {
    return this.queued(binding.write(this.id, bytes), bytes.byteLength)
  }
}

/** A Buffer, TypedArray or DataView as bytes; anything else (an ArrayBuffer too, as in node) is refused. */
function toBytes(data: unknown, name: string): Uint8Array {
  if (data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  throw invalidArgType(name, 'of type string or an instance of Buffer, TypedArray, or DataView', data)
}
