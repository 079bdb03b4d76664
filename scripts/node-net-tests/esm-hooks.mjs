// Module resolution hooks (registered by preload.cjs): an ES module importing 'net' or 'node:net'
// gets ringpoll/net, except ringpoll's own modules.
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const dist = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist')).href + '/'
const ringpollNet = dist + 'net/index.mjs'

export async function resolve(specifier, context, next) {
  if ((specifier === 'net' || specifier === 'node:net') && !context.parentURL?.startsWith(dist)) {
    return { url: ringpollNet, shortCircuit: true }
  }
  return next(specifier, context)
}
