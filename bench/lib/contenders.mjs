// The contenders: each is a server command line plus its environment. ringpoll servers run once per
// backend (RINGPOLL_BACKEND), the same script either way.
import { benchPath, node } from './processes.mjs'
import { reference, referenceAddon } from './reference.mjs'
import { bun, uwsInstalled } from './runtimes.mjs'

const BACKENDS = ['epoll', 'io_uring']

/** One contender per ringpoll backend, running bench/servers/<script>. */
export function ringpoll(script, { label = 'ringpoll', args = [], nodeArgs = [] } = {}) {
  return BACKENDS.map((backend) => ({
    name: `${label} (${backend})`,
    backend,
    command: [node, ...nodeArgs, benchPath(`servers/${script}`), '0', ...args],
    env: { RINGPOLL_BACKEND: backend },
  }))
}

/** A Node server script that does not use ringpoll's reactor. */
export function nodeServer(name, script, { args = [], nodeArgs = [] } = {}) {
  return { name, command: [node, ...nodeArgs, benchPath(`servers/${script}`), '0', ...args], env: {} }
}

/** A server script run by Bun (installed into bench/peers/); unavailable when Bun is not. */
export function bunServer(name, script) {
  const runtime = bun()
  if (runtime.unavailable) return { name, unavailable: runtime.unavailable }
  return { name, command: [runtime.binary, benchPath(`servers/${script}`), '0'], env: {} }
}

/** The uWS.js server (servers/http-uws.mjs, on Node); unavailable when bench/peers/ cannot be installed. */
export function uwsServer(name) {
  const installed = uwsInstalled()
  return installed.unavailable ? { name, unavailable: installed.unavailable } : nodeServer(name, 'http-uws.mjs')
}

/** A C program from bench/reference/, compiled on first use. */
export function cServer(name, program) {
  return { name, command: [reference(program), '0'], env: {} }
}

/**
 * The row label: a ringpoll server whose contender did not choose a backend (node:http through
 * ringpoll/http) is labelled with the one it reported. A contender that chose one and did not get
 * it never gets this far (startServer marks it unavailable).
 */
export function label(contender, server) {
  return server?.backend && !contender.backend ? `${contender.name} (${server.backend})` : contender.name
}

/** The Node floor (servers/http-floor.mjs with reference/http_floor.cc, compiled on first use) in one variant. */
export function floorServer(name, variant, { nodeArgs = [] } = {}) {
  return { name, command: [node, ...nodeArgs, benchPath('servers/http-floor.mjs'), '0', variant], env: { HTTP_FLOOR_ADDON: referenceAddon('http_floor') } }
}
