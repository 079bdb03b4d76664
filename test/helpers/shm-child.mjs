// A client in its own process for the shm tests: connects to argv[2] with shm, sends messages of
// the sizes in argv[3] (comma-separated), some through writer.malloc, checks that the echo is the
// same bytes in the same order, and prints { transport, bytes, same } as JSON.
import { connect } from 'ringpoll'
import { payload } from './util.mjs'

const path = process.argv[2]
const sizes = process.argv[3].split(',').map(Number)
const messages = sizes.map((n, i) => payload(n, i + 1))
const sent = Buffer.concat(messages)
const parts = []
let got = 0
const conn = await connect({ path, shm: true }, {
  onData(c) {
    const { reader } = c
    got += reader.length
    parts.push(reader.readBuffer(reader.length))
    reader.release()
    if (got >= sent.length) c.close()
  },
  onClose(c, err) {
    if (err) throw err
    const echoed = Buffer.concat(parts)
    process.stdout.write(JSON.stringify({ transport: c.transport, bytes: echoed.length, same: echoed.equals(sent) }))
  },
})
messages.forEach((m, i) => {
  if (i % 2 === 0) conn.write(m)
  else conn.writer.malloc(m.length).set(m) // filled after the call, as writer.malloc allows
})
