// The ESM entry of ringpoll/http: the same objects as the CommonJS one.
export { serve, HttpListener } from './http.js'
