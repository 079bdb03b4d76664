// A child process for shm-killed-peer.test.mjs, killed with SIGKILL by the test in the middle of
// its work; it prints one line when it has got that far. Modes:
//   send PATH   connects with shm: true and writes without end (the peer of a server that reads)
//   hold PATH   connects with shm: true and never releases its input (holds the server's chunks)
//   serve PATH  a ringpoll shm server that writes without end to each client
import { connect, createServer } from 'ringpoll'

const [mode, path] = process.argv.slice(2)
const say = (line) => process.stdout.write(`${line}\n`)
const block = Buffer.alloc(64 << 10, 'k')

// Keeps the output full: writes until write() says stop, then again on each drain.
const pump = (conn) => {
  while (conn.write(block));
}

if (mode === 'send') {
  const conn = await connect({ path, shm: true }, { onDrain: pump })
  say(`connected ${conn.transport}`)
  pump(conn)
} else if (mode === 'hold') {
  let told = false
  const conn = await connect(
    { path, shm: true },
    {
      onData(c) {
        // never c.reader.release(): every chunk read stays held
        if (!told && c.reader.length >= 1 << 20) {
          told = true
          say(`holding ${c.reader.length}`)
        }
      },
    },
  )
  say(`connected ${conn.transport}`)
} else if (mode === 'serve') {
  const server = createServer({ onConnect: pump, onDrain: pump })
  await server.listen({ path, shm: true })
  say('listening')
} else {
  throw new Error(`unknown mode ${mode}`)
}
