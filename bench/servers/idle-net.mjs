// Holds idle connections on node:net; see holder.mjs.
import net from 'node:net'
import { holder } from './holder.mjs'
import { port, ready } from './response.mjs'

const held = holder()
const server = net.createServer((socket) => {
  const peerPort = socket.remotePort
  held.opened()
  socket.on('error', () => {})
  socket.on('data', () => {})
  socket.on('close', () => held.closed(peerPort))
})
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => ready(server.address().port))
