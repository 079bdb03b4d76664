// HTTP hello world on Bun.serve (run by bun): Bun's own HTTP server, the same body and content type.
import { port, ready } from './response.mjs'

const server = Bun.serve({
  hostname: '127.0.0.1',
  port,
  fetch: () => new Response('hello world\n', { headers: { 'Content-Type': 'text/plain' } }),
})
ready(server.port)
