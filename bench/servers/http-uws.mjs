// HTTP hello world on uWS.js (from bench/peers, see bench/README.md): its HTTP router answers every
// request with the same body and content type (uWS.js has no raw TCP API for JS).
import { createRequire } from 'node:module'
import './gc-meter.mjs'
import { port, ready, unavailable } from './response.mjs'

let uws
try {
  uws = createRequire(import.meta.url)('../peers/node_modules/uwebsockets')
} catch (err) {
  unavailable(`uWS.js does not load here: ${err.message.split('\n').find((l) => /Error:|not found/.test(l)) ?? err.message.split('\n')[0]}`)
}
uws
  .App()
  .any('/*', (res) => {
    res.writeHeader('Content-Type', 'text/plain').end('hello world\n')
  })
  .listen('127.0.0.1', port, (token) => (token ? ready(uws.us_socket_local_port(token)) : unavailable('uWS.js could not listen')))
