// The client of the idle and close-latency scenarios (node:net, its own process):
//   node bench/clients/peers.mjs <port> <connections>
// opens the connections (at most 256 connecting at a time), prints {"connected": n}, then obeys
// lines on stdin:
//   close fin|rst <n> <gap ms>   closes n of its connections one at a time, gap ms apart, with a
//                                FIN (destroy) or an RST (resetAndDestroy); prints
//                                { "<local port>": <time just before the close, ns> }
// and exits when stdin ends.
import net from 'node:net'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'

const port = Number(process.argv[2])
const count = Number(process.argv[3])
const IN_FLIGHT = 256

const sockets = []
const connectOne = () =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(socket))
    socket.once('error', reject)
  })
let next = 0
await Promise.all(
  Array.from({ length: Math.min(IN_FLIGHT, count) }, async () => {
    while (next < count) {
      next++
      const socket = await connectOne()
      socket.on('error', () => {}) // a peer that closes first is not this client's concern
      sockets.push(socket)
    }
  }),
)
console.log(JSON.stringify({ connected: sockets.length }))

const lines = createInterface({ input: process.stdin })
lines.on('line', async (line) => {
  const [command, kind, n, gap] = line.split(' ')
  if (command !== 'close' || !['fin', 'rst'].includes(kind)) throw new Error(`unknown command: ${line}`)
  const times = {}
  for (let i = 0; i < Number(n); i++) {
    const socket = sockets.pop()
    const localPort = socket.localPort
    times[localPort] = String(process.hrtime.bigint())
    if (kind === 'fin') socket.destroy()
    else socket.resetAndDestroy()
    await sleep(Number(gap))
  }
  console.log(JSON.stringify(times))
})
lines.on('close', () => process.exit(0))
