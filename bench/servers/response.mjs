// The response every HTTP contender sends, the request terminator they all look for, and the
// start-up line the bench waits for.
export const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nhello world\n')
export const END_OF_REQUEST = '\r\n\r\n'

/** ringpoll's raw API: answers every complete request head in the input; returns how many. */
export function answerRequests(conn) {
  const { reader } = conn
  let answered = 0
  let end
  while ((end = reader.indexOf(END_OF_REQUEST)) !== -1) {
    reader.skip(end + END_OF_REQUEST.length)
    conn.write(RESPONSE)
    answered++
  }
  reader.release()
  return answered
}

/** The port the bench asked for (argv[2]; 0 picks a free one). */
export const port = Number(process.argv[2] ?? 0)

/**
 * The asked port, or when that is 0 a free one found now: for servers whose several listeners
 * (workers, processes) must all be given the same number.
 */
export async function sharedPort() {
  if (port !== 0) return port
  const { createServer } = await import('node:net')
  const probe = createServer()
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const free = probe.address().port
  await new Promise((resolve) => probe.close(resolve))
  return free
}

/**
 * Prints the line the bench waits for ("listening <port>", plus "backend=<name>" for a ringpoll
 * server: the backend it really runs on), and exits on SIGTERM.
 */
export function ready(listeningPort, backend) {
  console.log(`listening ${listeningPort}${backend ? ` backend=${backend}` : ''}`)
  process.on('SIGTERM', () => process.exit(0))
}

/** For a server that cannot run here: says why on the line the bench reads, and exits. */
export function unavailable(reason) {
  console.log(`unavailable ${reason}`)
  process.exit(3)
}
