// write() returns false, as net's does, only once the kernel would not take more: past the
// high-water mark the output is sent at once, not held for the end of the tick.
import t from 'tap'
import net from 'node:net'
import { impls, once, listen } from './helpers/net-compare.mjs'

t.test('a write loop goes past the high-water mark before write() returns false', async (t) => {
  for (const [name, impl] of Object.entries(impls)) {
    let accepted = 0
    let hwm = 0
    const server = impl.createServer((socket) => {
      const body = Buffer.alloc(1024, 'C')
      hwm = socket.writableHighWaterMark
      while (socket.write(body)) accepted += body.length
      socket.end()
    })
    const port = await listen(server)
    const client = net.connect(port, '127.0.0.1')
    let received = 0
    client.on('data', (d) => (received += d.length))
    await once(client, 'end')
    client.destroy()
    await new Promise((resolve) => server.close(resolve))
    t.ok(accepted > hwm, `${name}: ${accepted} bytes taken before write() said false (high-water mark ${hwm})`)
    t.equal(received, accepted + 1024, `${name}: every byte arrived`)
  }
})
