// The script every pool worker runs: imports the module, calls its default export with the
// workerData, then answers the pool's stats and close requests. An error from the start function
// is left uncaught, so the pool sees it (with its code and fields) as the worker's 'error'.
import { parentPort, workerData } from 'node:worker_threads'
import { codeError } from '../net/errors.js'
import { Server } from '../server.js'
import { stats } from '../stats.js'
import type { Boot, FromWorker, ToWorker } from './protocol.js'

interface Closable {
  close(...args: unknown[]): unknown
}

const port = parentPort!
const send = (message: FromWorker): void => port.postMessage(message)

/** The start function: the default export (for CommonJS, module.exports or its `default`). */
function startFunction(ns: { default?: unknown }): (data: unknown) => unknown {
  const exported = ns.default as { default?: unknown } | undefined
  const start = typeof exported === 'function' ? exported : exported?.default
  if (typeof start !== 'function') {
    throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The worker module must have a function as its default export')
  }
  return start as (data: unknown) => unknown
}

function checkClosable(value: unknown): Closable | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof (value as Closable).close !== 'function') {
    throw codeError(TypeError, 'ERR_INVALID_RETURN_VALUE', 'The start function must return (or resolve to) an object with a close() method, or nothing')
  }
  return value as Closable
}

/**
 * Calls close(), which may return a promise or take a callback: resolves on whichever comes. A
 * ringpoll Server's close() takes options, not a callback, and returns a promise.
 */
function closeIt(target: Closable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: unknown): void => (err ? reject(err) : resolve())
    const result = (target instanceof Server ? target.close() : target.close(done)) as PromiseLike<unknown> | undefined
    if (result !== null && typeof result?.then === 'function') result.then(() => resolve(), reject)
  })
}

/** Closes what the start function returned and tells the pool how that went. */
function closeAndReport(started: Closable | undefined): Promise<void> {
  return (started ? closeIt(started) : Promise.resolve()).then(
    () => send({ type: 'closed' }),
    (error: unknown) => send({ type: 'closed', error }),
  )
}

async function main(): Promise<void> {
  const { href, data } = workerData as Boot
  const started = checkClosable(await startFunction(await import(href))(data))
  let closing: Promise<void> | undefined
  // The application may use parentPort too: messages of other shapes are its own.
  port.on('message', (message: ToWorker) => {
    if (message?.type === 'stats') send({ type: 'stats', id: message.id, stats: stats() })
    if (message?.type === 'close') closing ??= closeAndReport(started)
  })
  send({ type: 'started' })
}

// Thrown from a tick of its own so it is uncaught whatever --unhandled-rejections says.
main().catch((err: unknown) => process.nextTick(() => {
  throw err
}))
