// HTTP hello world on ringpoll's raw API: count complete requests in the reader, answer each.
// The backend comes from RINGPOLL_BACKEND, as the bench sets it.
import { createServer } from 'ringpoll'
import './gc-meter.mjs'
import { answerRequests, port, ready } from './response.mjs'

const server = createServer({ onData: answerRequests })
const address = await server.listen({ port, host: '127.0.0.1' })
ready(address.port, server.backend)
