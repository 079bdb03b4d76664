// The no-copy reader (Netpoll's Reader): the unread input as segments of slab memory.
//
// Views from peek/next/until point into that memory and stay valid until release(); after it the
// memory is reused. A request that spans segments is answered with a fresh copy.
import type { Reactor } from './reactor.js'
import { binding } from './native.js'
import { checkInteger } from './validate.js'

const EMPTY = Buffer.alloc(0)
// Up to this many bytes, indexOf() scans in JS: cheaper than making a view for Buffer#indexOf (a
// request head is a few dozen bytes), and it leaves no garbage per request.
const SHORT_SEARCH = 256

export class Reader {
  // Unread segments from index `head` to `tail`: bytes [starts[i], ends[i]) of views[i] (a chunk
  // view). The arrays are reused from index 0 once all is read, never truncated: setting an
  // array's length costs a call into the runtime, and growing it again another, per request.
  private views: Buffer[] = []
  private starts: number[] = []
  private ends: number[] = []
  private head = 0
  private tail = 0
  private unread = 0
  /** Bytes read since the last release(), to give back to the reactor. */
  private consumed = 0
  private live = true

  private constructor(
    private readonly reactor: Reactor,
    private readonly id: number,
  ) {}

  /** @internal Each connection makes its own. */
  static _create(reactor: Reactor, id: number): Reader {
    return new Reader(reactor, id)
  }

  /** Unread bytes. */
  get length(): number {
    return this.unread
  }

  /** A view of the next n bytes (a copy if they span chunks); does not advance. */
  peek(n: number): Buffer {
    this.check(n)
    return this.view(n)
  }

  /** A view of the next n bytes (a copy if they span chunks); advances past them. */
  next(n: number): Buffer {
    this.check(n)
    const out = this.view(n)
    this.advance(n)
    return out
  }

  skip(n: number): void {
    this.check(n)
    this.advance(n)
  }

  /** The bytes up to and including the first `byte`, advancing past them; null if not arrived. */
  until(byte: number | string): Buffer | null {
    const b = toByte(byte)
    let before = 0
    for (let i = this.head; i < this.tail; i++) {
      const at = this.segment(i).indexOf(b)
      if (at !== -1) return this.next(before + at + 1)
      before += this.ends[i]! - this.starts[i]!
    }
    return null
  }

  /** Offset of `pattern` in the unread input at or after `from`, or -1. */
  indexOf(pattern: Uint8Array | string | number, from = 0): number {
    checkInteger(from, 'from', 0, Number.MAX_SAFE_INTEGER)
    const pat = toPattern(pattern)
    const m = pat.length
    if (m === 0) return from <= this.unread ? from : -1
    let base = 0 // offset of segment i from the read position
    for (let i = this.head; i < this.tail; i++) {
      const start = this.starts[i]!
      const end = this.ends[i]!
      const first = start + Math.max(0, from - base)
      if (first < end) {
        const view = this.views[i]!
        const at = end - first <= SHORT_SEARCH ? searchShort(view, first, end, pat) : view.subarray(first, end).indexOf(pat)
        if (at !== -1) return base + first + at - start
        // Matches that begin here and run on into the following segments.
        if (i + 1 < this.tail) {
          for (let p = Math.max(first, end - m + 1); p < end; p++) {
            if (this.matchesAt(base + p - start, pat)) return base + p - start
          }
        }
      }
      base += end - start
    }
    return -1
  }

  /** A copy of the next n bytes that outlives release(); advances. */
  readBuffer(n: number): Buffer {
    this.check(n)
    const out = Buffer.allocUnsafe(n)
    this.copyTo(out, n)
    this.advance(n)
    return out
  }

  readString(n: number, encoding: BufferEncoding = 'utf8'): string {
    this.check(n)
    if (!Buffer.isEncoding(encoding)) throw new TypeError(`unknown encoding: ${String(encoding)}`)
    const i = this.head
    let s: string
    if (n === 0) {
      s = ''
    } else if (this.ends[i]! - this.starts[i]! >= n) {
      s = this.views[i]!.toString(encoding, this.starts[i]!, this.starts[i]! + n)
    } else {
      const copy = Buffer.allocUnsafe(n)
      this.copyTo(copy, n)
      s = copy.toString(encoding)
    }
    this.advance(n)
    return s
  }

  readUInt8(): number {
    this.check(1)
    const v = this.views[this.head]![this.starts[this.head]!]!
    this.advance(1)
    return v
  }

  readUInt16BE(): number {
    return this.readNumber(2, false)
  }
  readUInt16LE(): number {
    return this.readNumber(2, true)
  }
  readUInt32BE(): number {
    return this.readNumber(4, false)
  }
  readUInt32LE(): number {
    return this.readNumber(4, true)
  }

  /** Gives the memory of everything read so far back to the reactor; its views go stale. */
  release(): void {
    if (this.consumed === 0) return
    if (this.live) binding.release(this.id, this.consumed)
    this.consumed = 0
  }

  // ---- called by the reactor ----

  /** @internal */
  _append(view: Buffer, offset: number, len: number): void {
    const last = this.tail - 1
    if (last >= this.head && this.views[last] === view && this.ends[last] === offset) {
      this.ends[last] = offset + len
    } else {
      this.views[this.tail] = view
      this.starts[this.tail] = offset
      this.ends[this.tail] = offset + len
      this.tail++
    }
    this.unread += len
  }

  /** @internal The connection is gone and its memory with it. */
  _detach(): void {
    this.live = false
    this.views = []
    this.starts = []
    this.ends = []
    this.head = this.tail = 0
    this.unread = 0
    this.consumed = 0
  }

  // ---- internals ----

  private check(n: number): void {
    checkInteger(n, 'n', 0, this.unread)
  }

  private view(n: number): Buffer {
    if (n === 0) return EMPTY
    const i = this.head
    const start = this.starts[i]!
    if (this.ends[i]! - start >= n) return this.views[i]!.subarray(start, start + n)
    this.reactor.countSpanCopy()
    const out = Buffer.allocUnsafe(n)
    this.copyTo(out, n)
    return out
  }

  /** The unread bytes of segment i (searching the whole chunk view would scan stale bytes). */
  private segment(i: number): Buffer {
    return this.views[i]!.subarray(this.starts[i]!, this.ends[i]!)
  }

  private copyTo(out: Buffer, n: number): void {
    let done = 0
    for (let i = this.head; done < n; i++) {
      const start = this.starts[i]!
      const take = Math.min(n - done, this.ends[i]! - start)
      this.views[i]!.copy(out, done, start, start + take)
      done += take
    }
  }

  private advance(n: number): void {
    this.unread -= n
    this.consumed += n
    while (n > 0) {
      const i = this.head
      const left = this.ends[i]! - this.starts[i]!
      if (n < left) {
        this.starts[i]! += n
        return
      }
      n -= left
      this.head++
    }
    if (this.head === this.tail) {
      // The views go (a slab goes back once nothing refers to it); the arrays keep their size.
      for (let i = 0; i < this.tail; i++) this.views[i] = EMPTY
      this.head = this.tail = 0
    }
  }

  private byteAt(offset: number): number {
    for (let i = this.head; ; i++) {
      const len = this.ends[i]! - this.starts[i]!
      if (offset < len) return this.views[i]![this.starts[i]! + offset]!
      offset -= len
    }
  }

  private matchesAt(offset: number, pat: Uint8Array): boolean {
    if (offset + pat.length > this.unread) return false
    for (let j = 0; j < pat.length; j++) if (this.byteAt(offset + j) !== pat[j]) return false
    return true
  }

  private readNumber(size: 2 | 4, littleEndian: boolean): number {
    this.check(size)
    let v = 0
    for (let j = 0; j < size; j++) {
      const b = this.byteAt(j)
      v += littleEndian ? b * 2 ** (8 * j) : b * 2 ** (8 * (size - 1 - j))
    }
    this.advance(size)
    return v
  }
}

/** Offset from `from` of the first match of `pat` lying wholly in view[from, to), or -1. */
function searchShort(view: Buffer, from: number, to: number, pat: Uint8Array): number {
  const m = pat.length
  const first = pat[0]!
  for (let i = from, last = to - m; i <= last; i++) {
    if (view[i] !== first) continue
    let j = 1
    while (j < m && view[i + j] === pat[j]) j++
    if (j === m) return i - from
  }
  return -1
}

function toByte(byte: number | string): number {
  if (typeof byte === 'string') {
    if (byte.length !== 1 || byte.charCodeAt(0) > 255) throw new TypeError('until() needs a one-byte string or a byte')
    return byte.charCodeAt(0)
  }
  return checkInteger(byte, 'byte', 0, 255)
}

let lastString = ''
let lastStringBytes = EMPTY

function toPattern(pattern: Uint8Array | string | number): Uint8Array {
  if (typeof pattern === 'number') return Uint8Array.of(checkInteger(pattern, 'byte', 0, 255))
  if (typeof pattern === 'string') {
    // Parsers search for the same delimiter over and over; keep its bytes.
    if (pattern !== lastString) {
      lastString = pattern
      lastStringBytes = Buffer.from(pattern)
    }
    return lastStringBytes
  }
  if (pattern instanceof Uint8Array) return pattern
  throw new TypeError('indexOf() needs a Uint8Array, a string or a byte')
}
