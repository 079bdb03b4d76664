// A server whose onData throws and whose onError rethrows: the process must die of that error
// (exit code 1, the stack on stderr) after the batch. Run by fault-handler-throws.test.mjs.
import net from 'node:net'
import { createServer } from 'ringpoll'

const server = createServer({
  onData() {
    throw new Error('boom from onData')
  },
  onError(err) {
    throw err
  },
})
const { port } = await server.listen({ port: 0, host: '127.0.0.1' })
const socket = net.connect(port, '127.0.0.1', () => socket.write('x'))
socket.on('error', () => {})
// Only reached if the rethrow was swallowed.
setTimeout(() => {
  console.log('still alive')
  process.exit(0)
}, 10000).unref()
