// The hello-world app of the HTTP bench, plain node:http or Express 5: the same "hello world\n"
// body either way (Express without its ETag and X-Powered-By headers).
import { unavailable } from './response.mjs'

/** The request handler for --app http|express. */
export async function helloApp(kind) {
  if (kind === 'http') {
    return (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 12 })
      res.end('hello world\n')
    }
  }
  if (kind === 'express') {
    const { default: express } = await import('express').catch(() => unavailable('express not installed'))
    const app = express()
    app.set('etag', false) // the same 87-byte response as the plain handler (no ETag header)
    app.set('x-powered-by', false)
    app.get('/', (req, res) => {
      res.set('Content-Type', 'text/plain')
      res.send('hello world\n')
    })
    return app
  }
  throw new TypeError(`--app takes http or express, not ${kind}`)
}
