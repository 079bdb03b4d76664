// The compiled addon, loaded with node-gyp-build (a prebuild when present, else build/Release).
// RINGPOLL_PREBUILD=<dir> loads <dir>/build/... instead: that is how test:asan runs the suite on
// the sanitizer build.
import { join } from 'node:path'
import nodeGypBuild = require('node-gyp-build')
import type { Backend } from './validate.js'

/** Where a server listens or a connection's ends are: an IP address and port, or a Unix socket path. */
export type Address = InetAddress | UnixAddress
export interface InetAddress {
  address: string
  family: 'IPv4' | 'IPv6'
  port: number
}
export interface UnixAddress {
  path: string
}

export interface NativeOptions {
  noDelay: boolean
  allowHalfOpen: boolean
  highWaterMark: number
  maxInput: number
  idleTimeout: number
  backend: Backend
  /** Negotiate a shm lane (Unix sockets only; lib checks the address). */
  shm?: boolean
}

export interface NativeConstants {
  EVENT_INTS: number
  ACCEPT: number
  CONNECT: number
  DATA: number
  END: number
  DRAIN: number
  CLOSE: number
  SLAB: number
  CLOSE_LOCAL: number
  CLOSE_PEER: number
  CLOSE_ERROR: number
  CLOSE_TIMEOUT: number
  CLOSE_WRITE_ERROR: number
  CHUNK_SIZE: number
  CHUNKS_PER_SLAB: number
  TRANSPORT_TCP: number
  TRANSPORT_UNIX: number
  TRANSPORT_SHM: number
  /** Records per call into JS as a rule (a part of a batch whose output goes out before the next). */
  PART_RECORDS: number
}

export interface NativeStats {
  /** The backend 'auto' runs on this thread. */
  backend: 'epoll' | 'io_uring'
  connections: number
  listeners: number
  /** Slabs (1 MiB each) now, the most there have been, and how many went back. */
  slabs: number
  slabsPeak: number
  slabsFreed: number
  chunks: number
  /** Chunks held by connections and JS. */
  chunksInUse: number
  /** Chunks io_uring's buffer ring holds for input that has not arrived yet. */
  chunksReserved: number
  /** Receive buffers io_uring's buffer ring has now: it starts small and doubles, up to its size, when receives run out (0 without io_uring). */
  uringBuffers: number
  bytesRead: number
  bytesWritten: number
  readCalls: number
  writeCalls: number
  accepts: number
  /** Loop wake-ups the reactor handled, and calls it made into JS (one per batch). */
  wakeups: number
  dispatches: number
  /** io_uring_enter calls (0 on epoll). */
  submits: number
  /** Open connections with a shm lane. */
  shmLanes: number
  /** shm handshakes running: sockets accepted or connected and not reported yet (or still connecting). */
  shmHandshakes: number
  /** 1 MiB windows of shm regions registered as slabs (not counted in `slabs` or `chunks`). */
  shmSlabs: number
  /** Bytes of shm regions still mapped, including windows JS still holds views of after a close. */
  shmMappedBytes: number
  /** shm handshakes declined, refused (a bad Hello) or failed. */
  shmRefused: number
}

/** The addon's functions; ids are connection slots (or listener ids), negative results -errno. */
export interface Binding {
  /** `backend` is what 'auto' means on this thread. */
  init(dispatch: (count: number) => void, backend: string): { events: Int32Array; constants: NativeConstants }
  getSlab(index: number): ArrayBuffer
  listen(path: string | null, host: string | null, port: number, backlog: number, reusePort: boolean,
    ipv6Only: boolean, options: NativeOptions): number
  listenerAddress(id: number): Address | null
  listenerBackend(id: number): 'epoll' | 'io_uring' | null
  closeListener(id: number): void
  /** Whether the listener keeps the event loop alive. */
  refListener(id: number, on: boolean): void
  connect(path: string | null, host: string | null, port: number, timeout: number, options: NativeOptions): number
  reserve(id: number, n: number, out: Int32Array): number
  write(id: number, data: Uint8Array): number
  writev(id: number, data: Uint8Array[]): number
  bufferedAmount(id: number): number
  flush(id: number): void
  end(id: number): void
  close(id: number): void
  release(id: number, n: number): void
  pause(id: number, paused: boolean): void
  endSeen(id: number): void
  reset(id: number): void
  setIdleTimeout(id: number, ms: number): void
  /** Whether the connection keeps the event loop alive (one still connecting always does). */
  ref(id: number, on: boolean): void
  setSocketOption(id: number, name: 'noDelay' | 'keepAlive', on: boolean, seconds: number): number
  address(id: number, peer: boolean): Address | null
  stats(): NativeStats
}

export const binding: Binding = nodeGypBuild(join(__dirname, '..'))
