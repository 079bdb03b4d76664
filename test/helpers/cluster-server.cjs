// A CommonJS pool module (module.exports is the start function): a ringpoll echo server whose
// replies name the worker's thread, "<threadId>:<message>".
'use strict'
const { threadId } = require('node:worker_threads')
const { createServer } = require('ringpoll')

module.exports = async function start({ port }) {
  const server = createServer({
    onData(conn) {
      conn.write(`${threadId}:${conn.reader.readString(conn.reader.length)}`)
      conn.reader.release()
    },
  })
  await server.listen({ port, host: '127.0.0.1', reusePort: true })
  return server
}
