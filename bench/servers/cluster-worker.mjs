// One worker of the cluster bench's pool, on the port all the workers share (reusePort):
// workerData.kind 'echo' is echo-ringpoll.mjs's echo, 'http' is http-ringpoll.mjs's responder.
import { createServer } from 'ringpoll'
import { answerRequests } from './response.mjs'

function echo(conn) {
  const { reader } = conn
  conn.write(reader.next(reader.length))
  reader.release()
}

export default async function start({ port, kind }) {
  const server = createServer({ onData: kind === 'http' ? answerRequests : echo })
  await server.listen({ port, host: '127.0.0.1', reusePort: true })
  return server
}
