// The writev scenario's protocol: fixed-size requests, each answered by <count> segments of <size>
// bytes (16 × 1 KB or 64 × 256 B, from the command line: <port> <count> <size>), the same buffers
// every time, as a server writing a cached header, body parts and trailers would.
export const REQUEST_SIZE = 16

const count = Number(process.argv[3])
const size = Number(process.argv[4])
if (!(count > 0 && size > 0)) throw new RangeError('usage: <server> <port> <segments> <segment bytes>')

export const SEGMENTS = Array.from({ length: count }, (_, i) => Buffer.alloc(size, 97 + (i % 26)))
