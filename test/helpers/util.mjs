// Shared test helpers: bounded waits, payloads, fd counts, and small echo peers.
import net from 'node:net'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, stats } from 'ringpoll'

/** Resolves when `predicate()` is true; rejects with `what` after `ms` (a bound, not a timing). */
export async function until(predicate, what, ms = 5000) {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/**
 * Asserts that every slab chunk has come back. Waits (bounded) first: on io_uring a closed
 * connection's output stays in use until the kernel confirms its cancelled send.
 */
export async function allChunksBack(t, what = 'every chunk is back') {
  await until(() => stats().chunksInUse === 0, 'chunks to return')
  t.equal(stats().chunksInUse, 0, what)
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Deterministic bytes: a cheap generator seeded by the size. */
export function payload(n, seed = n) {
  const b = Buffer.allocUnsafe(n)
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    b[i] = x & 255
  }
  return b
}

export const fdCount = () => readdirSync('/proc/self/fd').length

// Socket files live in a directory of this process's own, removed at exit: a name built from the
// pid alone can meet a file that an earlier process with the same pid left behind (EADDRINUSE).
let socketDir
let socketId = 0
export function socketPath() {
  if (!socketDir) {
    socketDir = mkdtempSync(join(tmpdir(), 'ringpoll-test-'))
    process.on('exit', () => rmSync(socketDir, { recursive: true, force: true }))
  }
  return join(socketDir, `${socketId++}.sock`)
}

/** A ringpoll echo server; resolves to { server, address, closes } where closes collects errors. */
export async function ringpollEcho(listen, options = {}) {
  const closes = []
  const server = createServer({
    onData(conn) {
      const { reader } = conn
      conn.write(reader.next(reader.length))
      reader.release()
    },
    onClose(conn, err) {
      closes.push(err)
    },
    ...options,
  })
  const address = await server.listen(listen)
  return { server, address, closes }
}

/** A node:net echo server. */
export async function netEcho(listen) {
  const server = net.createServer((socket) => socket.pipe(socket))
  await new Promise((resolve) => server.listen(listen, resolve))
  return server
}

/** Sends `data` with a node:net client and resolves with everything received until `expect` bytes. */
export function netRoundTrip(target, data, expect = data.length) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(target)
    const parts = []
    let got = 0
    socket.on('error', reject)
    socket.on('data', (d) => {
      parts.push(d)
      got += d.length
      if (got >= expect) {
        socket.end()
        resolve(Buffer.concat(parts))
      }
    })
    socket.on('connect', () => socket.write(data))
  })
}

/** Connects a node:net socket and resolves once it is connected. */
export function netConnect(target) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(target, () => resolve(socket))
    socket.on('error', reject)
  })
}
