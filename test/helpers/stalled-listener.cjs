// A listener that never accepts: it listens with a backlog of 1 (Node turns 0 into its default), reports its port, then blocks its
// own event loop, so connections beyond the accept queue stay in SYN_SENT. Exits within 20 s.
'use strict'
const net = require('node:net')
const server = net.createServer()
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.send(server.address().port, () => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000)
    process.exit(0)
  })
})
