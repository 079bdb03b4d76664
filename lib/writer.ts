// The writer: output goes into the connection's output chain in native memory, and the reactor
// sends it after the current batch of handlers (or before the loop next waits, for writes made
// elsewhere). Small writes are copied there; large Uint8Arrays are linked in place.
import { binding } from './native.js'
import { checkInteger } from './validate.js'
import { RingpollError } from './errors.js'
import type { Reactor } from './reactor.js'

const MAX_WRITE = 2 ** 31 - 1
const INEXACT_LENGTH = /^(hex|base64|base64url)$/i

/** @internal What the writer needs of its connection. */
export interface WriterOwner {
  readonly id: number
  /** False once the reactor has let go of the connection. */
  readonly live: boolean
  /** Throws when writing is no longer allowed (after end() or close()). */
  assertWritable(): void
}

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
  malloc(n: number): Buffer {
    checkInteger(n, 'n', 0, MAX_WRITE)
    this.owner.assertWritable()
    if (n === 0) return Buffer.alloc(0)
    if (n <= this.reactor.k.CHUNK_SIZE) {
      this.reserve(n)
      const offset = this.reactor.reservedOffset()
      return this.reactor.reservedChunk().subarray(offset, offset + n)
    }
    const buffer = Buffer.allocUnsafeSlow(n)
    binding.write(this.id, buffer)
    return buffer
  }

  write(data: Uint8Array | string, encoding?: BufferEncoding): boolean {
    this.owner.assertWritable()
    if (typeof data === 'string') return this.writeString(data, encoding ?? 'utf8')
    return binding.write(this.id, toBytes(data)) < this.highWaterMark
  }

  writev(buffers: readonly Uint8Array[]): boolean {
    if (!Array.isArray(buffers)) throw new TypeError('writev() needs an array of Uint8Arrays')
    this.owner.assertWritable()
    return binding.writev(this.id, buffers.map(toBytes)) < this.highWaterMark
  }

  /** Sends queued output now. */
  flush(): void {
    if (this.owner.live) binding.flush(this.id)
  }

  private writeString(s: string, encoding: BufferEncoding): boolean {
    if (!Buffer.isEncoding(encoding)) throw new TypeError(`unknown encoding: ${String(encoding)}`)
    // For hex and base64, byteLength is only an upper bound (invalid characters decode to
    // nothing): encode first, or reserved bytes would go out unwritten, showing stale memory.
    if (INEXACT_LENGTH.test(encoding)) return binding.write(this.id, Buffer.from(s, encoding)) < this.highWaterMark
    const n = Buffer.byteLength(s, encoding)
    if (n === 0) return this.bufferedAmount < this.highWaterMark
    if (n > this.reactor.k.CHUNK_SIZE) return binding.write(this.id, Buffer.from(s, encoding)) < this.highWaterMark
    const amount = this.reserve(n)
    this.reactor.reservedChunk().write(s, this.reactor.reservedOffset(), n, encoding)
    return amount < this.highWaterMark
  }

  private reserve(n: number): number {
    const amount = this.reactor.reserve(this.id, n)
    if (amount < 0) throw new RingpollError('ENOMEM', 'out of memory for output')
    return amount
  }
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  throw new TypeError(`expected a Uint8Array or a string, got ${data === null ? 'null' : typeof data}`)
}
