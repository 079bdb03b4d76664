// Length-prefixed RPC on ringpoll: each frame is a 4-byte big-endian length and a UTF-8 body.
// The server answers each request frame with its body upper-cased, encoding the reply straight
// into output memory with writer.malloc (size first, then encode: no intermediate buffer).
// node examples/rpc.mjs  — starts the server, sends three requests from a client, and exits.
import { createServer, connect } from 'ringpoll'

/**
 * @param {import('ringpoll').Connection} conn
 * @param {(frame: string) => void} onFrame
 */
function readFrames(conn, onFrame) {
  const { reader } = conn
  while (reader.length >= 4) {
    const size = reader.peek(4).readUInt32BE(0)
    if (reader.length < 4 + size) break // wait for the rest of the frame
    reader.skip(4)
    onFrame(reader.readString(size))
  }
  reader.release()
}

/**
 * @param {import('ringpoll').Connection} conn
 * @param {string} text
 */
function sendFrame(conn, text) {
  const size = Buffer.byteLength(text)
  const out = conn.writer.malloc(4 + size)
  out.writeUInt32BE(size, 0)
  out.write(text, 4)
}

const server = createServer({
  onData(conn) {
    readFrames(conn, (request) => sendFrame(conn, request.toUpperCase()))
  },
})
const { port } = await server.listen({ port: 0, host: '127.0.0.1' })

const requests = ['hello', 'length-prefixed', 'rpc']
/** @type {string[]} */
const replies = []
const client = await connect({ port, host: '127.0.0.1' }, {
  onData(conn) {
    readFrames(conn, (reply) => {
      replies.push(reply)
      if (replies.length === requests.length) conn.close()
    })
  },
  async onClose() {
    console.log(replies)
    await server.close()
  },
})
for (const r of requests) sendFrame(client, r)
