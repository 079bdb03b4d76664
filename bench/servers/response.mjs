// The response every contender sends, and the request terminator they all look for.
export const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nhello world\n')
export const END_OF_REQUEST = '\r\n\r\n'

/** Prints the line the bench waits for, and exits on SIGTERM. */
export function ready(port) {
  console.log(`listening ${port}`)
  process.on('SIGTERM', () => process.exit(0))
}
