// Running one scenario on node:net and on ringpoll/net, recording what each emits.
import net from 'node:net'
import * as ringpollNet from 'ringpoll/net'

export const impls = { 'node:net': net, 'ringpoll/net': ringpollNet }

/** Runs `scenario(impl)` on both; asserts both logs are the same, and returns node:net's. */
export async function sameOnBoth(t, scenario) {
  const logs = {}
  for (const [name, impl] of Object.entries(impls)) logs[name] = await scenario(impl)
  t.same(logs['ringpoll/net'], logs['node:net'], 'ringpoll/net emits what node:net emits')
  return logs['node:net']
}

/**
 * Appends each event to `log` as a short string: `close:<hadError>`, `error:<code>`, `timeout`...
 * 'data' is counted, not logged per chunk (chunking is the transport's business), and logged as
 * `data:<text>` the first time the stream ends or closes.
 */
export function record(stream, log, prefix = '') {
  let text = ''
  const flush = () => {
    if (text !== '') log.push(`${prefix}data:${text}`)
    text = ''
  }
  stream.on('data', (d) => (text += d))
  for (const name of ['connect', 'ready', 'end', 'finish', 'timeout']) {
    stream.on(name, () => {
      flush()
      log.push(prefix + name)
    })
  }
  stream.on('error', (err) => {
    flush()
    log.push(`${prefix}error:${err.code}`)
  })
  stream.on('close', (hadError) => {
    flush()
    log.push(`${prefix}close:${hadError}`)
  })
}

/** Resolves when `emitter` emits `event`. */
export const once = (emitter, event) => new Promise((resolve) => emitter.once(event, resolve))

/** Listens on 127.0.0.1 with any port; resolves to the port. */
export async function listen(server, host = '127.0.0.1') {
  server.listen(0, host)
  await once(server, 'listening')
  return server.address().port
}

/** A port nobody listens on (one that was just free). */
export async function freePort() {
  const s = net.createServer()
  const port = await listen(s)
  await new Promise((resolve) => s.close(resolve))
  return port
}
