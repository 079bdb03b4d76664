// The response every HTTP contender sends, the request terminator they all look for, and the
// start-up line the bench waits for.
export const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nhello world\n')
export const END_OF_REQUEST = '\r\n\r\n'

/** The port the bench asked for (argv[2]; 0 picks a free one). */
export const port = Number(process.argv[2] ?? 0)

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
