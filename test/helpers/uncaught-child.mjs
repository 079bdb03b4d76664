// A server whose onData (or onClose, argv[2]) throws, with no onError, while another connection
// sends in the same turn. Prints { uncaught, echoed, closedWith } as JSON once the other connection
// has been echoed and the exception seen. Run by fault-handler-throws.test.mjs.
import net from 'node:net'
import { createServer } from 'ringpoll'

const which = process.argv[2]
const seen = { uncaught: [], echoed: '', closedWith: null }
let throwing = true
const server = createServer({
  onData(conn) {
    const text = conn.reader.readString(conn.reader.length)
    conn.reader.release()
    if (text === 'throw' && which === 'onData') throw new Error('boom from onData')
    if (text === 'throw') return conn.close()
    conn.write(text)
  },
  onClose(conn, err) {
    if (err) seen.closedWith = err.message
    if (which === 'onClose' && throwing) {
      throwing = false
      throw new Error('boom from onClose')
    }
  },
})
const { port } = await server.listen({ port: 0, host: '127.0.0.1' })
const done = () => {
  if (seen.uncaught.length === 0 || seen.echoed === '') return
  process.stdout.write(JSON.stringify(seen))
  process.exit(0)
}
process.on('uncaughtException', (err) => {
  seen.uncaught.push(err.message)
  done()
})
const open = (port) => new Promise((resolve) => { const s = net.connect(port, '127.0.0.1', () => resolve(s)) })
const [thrower, other] = await Promise.all([open(port), open(port)])
thrower.on('error', () => {})
other.on('data', (d) => {
  seen.echoed += d
  done()
})
// Both in one turn: the reactor most likely hands them to JS in one batch.
thrower.write('throw')
other.write('other connection')
setTimeout(() => process.exit(3), 10000).unref()
