// Helpers of the cluster tests: a port to share, and a node:net client that asks and waits.
import net from 'node:net'
import { netConnect } from './util.mjs'

/** A port that was free a moment ago (for servers that must all listen on one given port). */
export async function freePort() {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** An open connection: ask(message) resolves with the reply; `closed` once the socket closes. */
export async function messenger(port) {
  const socket = await netConnect({ port, host: '127.0.0.1' })
  socket.on('error', () => {})
  const closed = new Promise((resolve) => socket.once('close', resolve))
  const ask = (message) =>
    new Promise((resolve, reject) => {
      const onClose = () => reject(new Error('closed before a reply'))
      socket.once('close', onClose)
      socket.once('data', (d) => {
        socket.off('close', onClose)
        resolve(d.toString())
      })
      socket.write(message)
    })
  return { socket, ask, closed }
}

/** The worker thread that answers one new connection: the id before the ':' of its reply. */
export async function whoAnswers(port) {
  const m = await messenger(port)
  const reply = await m.ask('who')
  m.socket.end()
  await m.closed
  return Number(reply.split(':')[0])
}

/** Resolves when `port` can be listened on again (with node:net, without reusePort). */
export async function listenSucceeds(port) {
  const server = net.createServer()
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
  await new Promise((resolve) => server.close(resolve))
}
