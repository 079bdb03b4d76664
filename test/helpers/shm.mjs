// Helpers of the shm lane tests: an echo server on a shm listener, a client round trip, and the
// check that every lane, handshake and mapping is gone.
import { connect, stats } from 'ringpoll'
import { gc } from './gc.mjs'
import { ringpollEcho, socketPath, until } from './util.mjs'

/** A ringpoll echo server listening with shm on a fresh path; `transports` collects each
 * accepted connection's transport, `closes` each close's error. */
export async function shmEcho(options = {}, listen = {}) {
  const transports = []
  const path = socketPath()
  const onConnect = (conn) => transports.push(conn.transport)
  const { server, closes } = await ringpollEcho({ path, shm: true, ...listen }, { onConnect, ...options })
  return { server, path, transports, closes }
}

/** Connects (shm unless told), writes every message of `messages`, and resolves with the
 * connection's transport and every byte echoed, once `expect` bytes have come back. */
export function roundTrip(path, messages, { shm = true, expect, ...options } = {}) {
  const total = expect ?? messages.reduce((n, m) => n + m.length, 0)
  return new Promise((resolve, reject) => {
    const parts = []
    let got = 0
    let transport
    connect({ path, shm }, {
      ...options,
      onData(conn) {
        const { reader } = conn
        got += reader.length
        parts.push(reader.readBuffer(reader.length))
        reader.release()
        if (got >= total) conn.close()
      },
      onClose(conn, err) {
        if (err) reject(err)
        else resolve({ transport, echoed: Buffer.concat(parts) })
      },
    }).then((conn) => {
      transport = conn.transport
      for (const m of messages) conn.write(m)
    }, reject)
  })
}

/** Waits (bounded) until no lane, handshake or shm mapping is left, collecting garbage so that
 * JS lets go of the windows it viewed; then asserts it. */
export async function lanesGone(t, what = 'no lane, handshake or shm mapping is left') {
  await until(() => {
    gc()
    const s = stats()
    return s.shmLanes === 0 && s.shmHandshakes === 0 && s.shmSlabs === 0 && s.shmMappedBytes === 0
  }, 'the lanes and their mappings to go', 20000)
  const s = stats()
  t.same([s.shmLanes, s.shmHandshakes, s.shmSlabs, s.shmMappedBytes], [0, 0, 0, 0], what)
}
