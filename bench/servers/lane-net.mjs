// The shm scenario's reference server on node:net, over a Unix socket (or TCP):
//   node bench/servers/lane-net.mjs <tcp|unix> <port, or the Unix socket's path>
// The same protocol as lane-ringpoll.mjs: ECHO connections get every chunk back, SINK ones an ACK
// byte per message.
import net from 'node:net'
import { ACK, ECHO, SINK, acksDue, laneArgs } from './lane-protocol.mjs'
import { ready } from './response.mjs'

const { transport, where } = laneArgs()
if (transport === 'shm') throw new Error('node:net has no shm lane')
const ACKS = Buffer.alloc(64, ACK)

const server = net.createServer((socket) => {
  socket.on('error', () => {})
  let sink = null
  socket.once('data', (first) => {
    if (first[0] !== ECHO && first[0] !== SINK) return socket.destroy()
    if (first[0] === ECHO) {
      socket.on('data', (data) => socket.write(data))
      if (first.length > 1) socket.write(first.subarray(1))
    } else {
      sink = { bytes: 0 }
      const onData = (data) => {
        for (let due = acksDue(sink, data.length); due > 0; due -= ACKS.length) socket.write(ACKS.subarray(0, Math.min(due, ACKS.length)))
      }
      socket.on('data', onData)
      onData(first.subarray(1))
    }
  })
})
const listening = () => ready(transport === 'tcp' ? server.address().port : 0)
if (transport === 'tcp') server.listen(Number(where), '127.0.0.1', listening)
else server.listen(where, listening)
