// A pool module that misbehaves, by workerData.fail: at start 'throw' (an error with a code and a
// field), 'return' (a value with no close()), 'exit' (process.exit before resolving), 'second'
// (listens on the port without reusePort, so the second worker gets EADDRINUSE); or later,
// 'close' (its close() rejects) or 'crash' (throws just after its start resolved).
import { createServer } from 'ringpoll'

export default async function start({ fail, port }) {
  if (fail === 'throw') throw Object.assign(new RangeError('refused to start'), { code: 'ERR_EXAMPLE', detail: 42 })
  if (fail === 'return') return 42
  if (fail === 'exit') process.exit(3)
  if (fail === 'close') return { close: () => Promise.reject(new Error('close failed')) }
  if (fail === 'crash') {
    setImmediate(() => {
      throw new Error('crash loop')
    })
    return undefined
  }
  const server = createServer({})
  await server.listen({ port, host: '127.0.0.1' })
  return server
}
