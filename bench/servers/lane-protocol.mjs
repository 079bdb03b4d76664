// What the shm scenario's servers and clients agree on (servers/lane-*.mjs, clients/lane-*.mjs).
// A connection's first byte says what it is for: ECHO (every later byte is sent back) or SINK
// (bytes are counted and dropped, and one ACK byte answers each STREAM_MESSAGE bytes received).
export const ECHO = 0x45 // 'E'
export const SINK = 0x53 // 'S'
export const STREAM_MESSAGE = 2 ** 20
export const ACK = 0x41 // 'A'

/** The transports a lane contender runs over: TCP loopback, a Unix socket, a Unix socket with the shm lane. */
export const TRANSPORTS = ['tcp', 'unix', 'shm']

/** argv of a lane server or client: <transport> <path of the Unix socket, or a TCP port>. */
export function laneArgs(argv = process.argv) {
  const [transport, where] = argv.slice(2)
  if (!TRANSPORTS.includes(transport) || !where) throw new Error(`usage: <${TRANSPORTS.join('|')}> <path or port>`)
  return { transport, where }
}

/** Counts a sink connection's bytes; returns how many ACK bytes are due for the ones just counted. */
export function acksDue(state, bytes) {
  const before = Math.floor(state.bytes / STREAM_MESSAGE)
  state.bytes += bytes
  return Math.floor(state.bytes / STREAM_MESSAGE) - before
}
