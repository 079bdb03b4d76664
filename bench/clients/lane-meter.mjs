// The measuring half of the shm scenario's clients (lane-ringpoll.mjs, lane-net.mjs): round trips
// and one-way streaming, whatever API moves the bytes, and the commands the bench sends on stdin.
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { STREAM_MESSAGE } from '../servers/lane-protocol.mjs'

const FILL = 0x2e

/**
 * Round trips of `size`-byte messages: one is sent, the whole echo awaited, the next sent; at most
 * `maxCount` of them, or as many as fit in `seconds`. `send(buffer)` queues a message. The client
 * reports each arrival with arrived(); `got` and `size` tell it whether an arrival starts or ends a
 * message. The first and last bytes of each message carry a tag that changes every round trip, so
 * an echo of the wrong message, or cut short, fails the run. Resolves { count, seconds, p50, p99 } (µs).
 */
export class RoundTrips {
  constructor(size, maxCount, seconds, send) {
    this.size = size
    this.got = 0
    this.count = 0
    this.tag = 0
    this.payload = Buffer.alloc(size, FILL)
    this.latencies = new Float64Array(maxCount)
    this.seconds = seconds
    this.send = send
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
  }

  start() {
    this.startedAt = performance.now()
    this.deadline = this.startedAt + this.seconds * 1000
    this.next(this.startedAt)
    return this.done
  }

  next(now) {
    this.tag = this.tag === 0xff ? 1 : this.tag + 1
    if (this.tag === FILL) this.tag++
    // Only after the whole echo of the last message: nothing holds the payload any more.
    this.payload[0] = this.tag
    this.payload[this.size - 1] = this.tag
    this.got = 0
    this.sentAt = now
    this.send(this.payload)
  }

  /** `n` bytes arrived; `first` is the message's first byte when they start it, `last` its last when they end it (else -1). */
  arrived(n, first, last) {
    if (this.got === 0 && first !== this.tag) return this.fail(`message ${this.count + 1} starts with ${first}, not its tag ${this.tag}`)
    this.got += n
    if (this.got > this.size) return this.fail(`${this.got} bytes came back for a message of ${this.size}`)
    if (this.got < this.size) return
    if (last !== this.tag) return this.fail(`message ${this.count + 1} ends with ${last}, not its tag ${this.tag}`)
    const now = performance.now()
    this.latencies[this.count++] = now - this.sentAt
    if (this.count === this.latencies.length || now >= this.deadline) {
      const sorted = this.latencies.slice(0, this.count).sort()
      const at = (p) => sorted[Math.min(this.count - 1, Math.ceil(p * this.count) - 1)] * 1000
      this.resolve({ count: this.count, seconds: (now - this.startedAt) / 1000, p50: at(0.5), p99: at(0.99) })
    } else {
      this.next(now)
    }
  }

  fail(why) {
    this.reject(new Error(why))
  }
}

/**
 * One-way streaming of STREAM_MESSAGE-byte messages for `seconds` or `maxBytes`, whichever comes
 * first: `send(buffer)` queues one and returns false when the sender should wait for drained();
 * the server acknowledges each message whole with one byte, reported by acked(). Resolves
 * { bytes, seconds } once every message sent has been acknowledged.
 */
export class Stream {
  constructor(maxBytes, seconds, send) {
    this.maxMessages = Math.max(1, Math.floor(maxBytes / STREAM_MESSAGE))
    this.seconds = seconds
    this.send = send
    this.payload = Buffer.alloc(STREAM_MESSAGE, FILL)
    this.sent = 0
    this.acks = 0
    this.stopped = false
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
  }

  start() {
    this.startedAt = performance.now()
    this.deadline = this.startedAt + this.seconds * 1000
    this.drained()
    return this.done
  }

  drained() {
    while (!this.stopped) {
      if (this.sent === this.maxMessages || performance.now() >= this.deadline) {
        this.stopped = true
        this.finishIfAcked()
        return
      }
      this.sent++
      if (!this.send(this.payload)) return
    }
  }

  acked(n) {
    this.acks += n
    if (this.acks > this.sent) return this.reject(new Error(`${this.acks} acknowledgements for ${this.sent} messages`))
    this.finishIfAcked()
  }

  finishIfAcked() {
    if (this.stopped && this.acks === this.sent) {
      this.resolve({ bytes: this.acks * STREAM_MESSAGE, seconds: (performance.now() - this.startedAt) / 1000 })
    }
  }
}

/**
 * Reads the bench's commands, one per line, and answers each with one JSON line:
 *   roundtrips <size> <max count> <seconds>   -> { count, seconds, p50, p99 }
 *   stream <max bytes> <seconds>              -> { bytes, seconds }
 * `client.roundTrips(size, max, seconds)` and `client.stream(maxBytes, seconds)` run one. The
 * process exits when stdin ends; a failed run answers { error }.
 */
export function obey(client) {
  const lines = createInterface({ input: process.stdin })
  let queue = Promise.resolve()
  lines.on('line', (line) => {
    const [command, ...args] = line.split(' ')
    const numbers = args.map(Number)
    queue = queue.then(async () => {
      try {
        if (command === 'roundtrips') return answer(await client.roundTrips(...numbers))
        if (command === 'stream') return answer(await client.stream(...numbers))
        answer({ error: `unknown command: ${line}` })
      } catch (err) {
        answer({ error: err.message })
      }
    })
  })
  lines.on('close', () => queue.then(() => process.exit(0)))
}

export const answer = (figures) => console.log(JSON.stringify(figures))

/** Bytes from the server before any load asked for them: the server is not a lane server. */
export function unasked(n, connection) {
  console.error(`lane client: ${n} bytes arrived on the ${connection} connection before any load`)
  process.exit(1)
}
