// A child process for net-idle.test.mjs: one client scenario on node:net or ringpoll/net, printing
// one line per event and 'exit' when the process runs out of work. A timer that does not hold the
// process destroys the socket after HOLD_MS, so a socket that keeps the process alive shows as
// 'closing' before 'exit'; one that does not, as 'exit' alone.
import net from 'node:net'
import * as ringpollNet from 'ringpoll/net'

const [impl, scenario, port] = process.argv.slice(2)
const HOLD_MS = 100
const lib = impl === 'node:net' ? net : ringpollNet
const log = (line) => process.stdout.write(`${line}\n`)
process.on('exit', () => log('exit'))

const socket = lib.connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true })
socket.on('connect', () => log('connect'))
socket.on('end', () => log('end'))
socket.on('close', () => log('close'))
setTimeout(() => {
  log('closing')
  socket.destroy()
}, HOLD_MS).unref()

if (scenario === 'paused') socket.pause()
if (scenario === 'reading' || scenario === 'after the peer ends') socket.resume()
if (scenario === 'paused, writing to a peer that does not read') {
  socket.pause()
  socket.on('connect', () => socket.write(Buffer.alloc(8 << 20)))
}
