// One process of the cluster bench's control: cluster-worker.mjs's start function run in a
// process of its own instead of a pool's thread. argv: <port> <kind>. Prints "ready <backend>".
import start from './cluster-worker.mjs'

const server = await start({ port: Number(process.argv[2]), kind: process.argv[3] })
console.log(`ready ${server.backend}`)
process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
