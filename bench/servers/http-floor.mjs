// The Node floor (reference/http_floor.cc): the HTTP hello world served by a minimal addon on
// Node's own loop, without ringpoll. argv[3] picks the variant: direct, nested, callback or js
// (what each adds is in the addon's header comment and bench/README.md).
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import './gc-meter.mjs'
import { port, ready } from './response.mjs'

const variant = process.argv[3] ?? 'direct'
const floor = createRequire(import.meta.url)(process.env.HTTP_FLOOR_ADDON)

let listening
if (variant === 'js') {
  // The responder's minimal work in JS: each ready connection's count, one native write for it.
  const readyConns = floor.ready()
  const { respond } = floor
  listening = floor.start(port, variant, (n) => {
    for (let i = 0; i < 2 * n; i += 2) respond(readyConns[i], readyConns[i + 1])
  })
} else {
  listening = floor.start(port, variant, () => {})
}
ready(listening)
// The line "loops" is answered with libuv's loop iterations and events so far (bench/profile.mjs).
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'loops') {
    const [loops, events] = floor.loops()
    console.log(JSON.stringify({ loops, events }))
  }
})
