// The shm scenario's client on ringpoll's raw API (backend from RINGPOLL_BACKEND), its own process:
//   node bench/clients/lane-ringpoll.mjs <tcp|unix|shm> <port, or the Unix socket's path>
// Opens an ECHO and a SINK connection, prints { transport } (or { unavailable } when the shm lane
// was asked for and not negotiated), then runs the bench's commands (lane-meter.mjs); each answer
// also carries `counters`, what this process's stats() counted over the run.
import { connect, stats } from 'ringpoll'
import { ECHO, SINK, laneArgs } from '../servers/lane-protocol.mjs'
import { RoundTrips, Stream, answer, obey, unasked } from './lane-meter.mjs'

const { transport, where } = laneArgs()
const target = transport === 'tcp' ? { port: Number(where), host: '127.0.0.1' } : { path: where, ...(transport === 'shm' ? { shm: true } : {}) }
let roundTrips = null
let stream = null

const handlers = {
  onClose(conn, err) {
    console.error(`lane client: a connection closed (${err?.code ?? 'cleanly'})`)
    process.exit(1)
  },
}
const echo = await connect(target, {
  ...handlers,
  onData(conn) {
    const { reader } = conn
    const rt = roundTrips
    const n = reader.length
    if (!rt) unasked(n, 'echo')
    // Only the first and last bytes of a message are read; the rest is skipped in place.
    let rest = n
    let first = -1
    let last = -1
    if (rt.got === 0) {
      first = reader.readUInt8()
      rest--
    }
    if (rt.got + n >= rt.size) {
      if (rest > 0) {
        reader.skip(rest - 1)
        last = reader.readUInt8()
      } else last = first
    } else reader.skip(rest)
    reader.release()
    rt.arrived(n, first, last)
  },
})
const sink = await connect(target, {
  ...handlers,
  onData(conn) {
    const n = conn.reader.length
    if (!stream) unasked(n, 'sink')
    conn.reader.skip(n)
    conn.reader.release()
    stream.acked(n)
  },
  onDrain() {
    stream.drained()
  },
})
echo.write(Buffer.of(ECHO))
sink.write(Buffer.of(SINK))

if (transport === 'shm' && (echo.transport !== 'shm' || sink.transport !== 'shm')) {
  answer({ unavailable: `the shm lane was not negotiated (conn.transport is ${echo.transport})` })
  process.exit(0)
}
answer({ transport: echo.transport ?? transport })
const COUNTERS = ['wakeups', 'dispatches', 'submits', 'readCalls', 'writeCalls', 'bytesWritten']
async function counted(run) {
  const before = stats()
  const figures = await run()
  const after = stats()
  return { ...figures, counters: Object.fromEntries(COUNTERS.map((c) => [c, after[c] - before[c]])) }
}
obey({
  roundTrips(size, maxCount, seconds) {
    roundTrips = new RoundTrips(size, maxCount, seconds, (message) => echo.write(message))
    return counted(() => roundTrips.start())
  },
  stream(maxBytes, seconds) {
    stream = new Stream(maxBytes, seconds, (message) => sink.write(message))
    return counted(() => stream.start())
  },
})
