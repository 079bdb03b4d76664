// The shm scenario's server on ringpoll's raw API (backend from RINGPOLL_BACKEND):
//   node bench/servers/lane-ringpoll.mjs <tcp|unix|shm> <port, or the Unix socket's path>
// An ECHO connection gets every byte back as it arrives (a view of input memory, written, then
// released); a SINK connection's bytes are counted and released, with an ACK byte per message.
import { createServer } from 'ringpoll'
import { ACK, ECHO, SINK, acksDue, laneArgs } from './lane-protocol.mjs'
import { ready } from './response.mjs'

const { transport, where } = laneArgs()
const ACKS = Buffer.alloc(64, ACK)

const server = createServer({
  onData(conn) {
    const { reader } = conn
    if (conn.context === undefined) {
      const mode = reader.readUInt8()
      if (mode !== ECHO && mode !== SINK) return conn.close(new Error(`the first byte is ${mode}, neither ECHO nor SINK`))
      conn.context = mode === ECHO ? null : { bytes: 0 }
    }
    const n = reader.length
    if (conn.context === null) {
      if (n > 0) conn.write(reader.next(n))
    } else {
      reader.skip(n)
      for (let due = acksDue(conn.context, n); due > 0; due -= ACKS.length) conn.write(ACKS.subarray(0, Math.min(due, ACKS.length)))
    }
    reader.release()
  },
})
const address = transport === 'tcp'
  ? await server.listen({ port: Number(where), host: '127.0.0.1' })
  : await server.listen({ path: where, ...(transport === 'shm' ? { shm: true } : {}) })
ready(address.port ?? 0, server.backend)
