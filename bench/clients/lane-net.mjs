// The shm scenario's reference client on node:net, its own process:
//   node bench/clients/lane-net.mjs <tcp|unix> <port, or the Unix socket's path>
// The same protocol and commands as lane-ringpoll.mjs.
import net from 'node:net'
import { ECHO, SINK, laneArgs } from '../servers/lane-protocol.mjs'
import { RoundTrips, Stream, answer, obey, unasked } from './lane-meter.mjs'

const { transport, where } = laneArgs()
if (transport === 'shm') throw new Error('node:net has no shm lane')
const target = transport === 'tcp' ? { port: Number(where), host: '127.0.0.1', noDelay: true } : { path: where }
let roundTrips = null
let stream = null

const open = (mode) =>
  new Promise((resolve, reject) => {
    const socket = net.connect(target, () => {
      socket.off('error', reject)
      socket.on('error', (err) => {
        console.error(`lane client: ${err.code}`)
        process.exit(1)
      })
      socket.on('close', () => process.exit(1))
      socket.write(Buffer.of(mode))
      resolve(socket)
    })
    socket.once('error', reject)
  })
const echo = await open(ECHO)
const sink = await open(SINK)
echo.on('data', (data) => {
  const rt = roundTrips
  const n = data.length
  if (!rt) unasked(n, 'echo')
  rt.arrived(n, rt.got === 0 ? data[0] : -1, rt.got + n >= rt.size ? data[n - 1] : -1)
})
sink.on('data', (data) => {
  if (!stream) unasked(data.length, 'sink')
  stream.acked(data.length)
})
sink.on('drain', () => stream.drained())

answer({ transport })
obey({
  roundTrips(size, maxCount, seconds) {
    roundTrips = new RoundTrips(size, maxCount, seconds, (message) => echo.write(message))
    return roundTrips.start()
  },
  stream(maxBytes, seconds) {
    stream = new Stream(maxBytes, seconds, (message) => sink.write(message))
    return stream.start()
  },
})
