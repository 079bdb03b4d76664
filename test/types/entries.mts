// The ESM and CommonJS entries have the same types (index.d.mts re-exports index.d.ts by name, so a
// name left out of one would show here). Compiled by test/types.test.mjs, never run.
import type * as esm from 'ringpoll'
import type * as cjs from 'ringpoll' with { 'resolution-mode': 'require' }
import type * as esmNet from 'ringpoll/net'
import type * as cjsNet from 'ringpoll/net' with { 'resolution-mode': 'require' }
import type * as esmHttp from 'ringpoll/http'
import type * as cjsHttp from 'ringpoll/http' with { 'resolution-mode': 'require' }

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const same = <A, B>(check: Equal<A, B>): Equal<A, B> => check

// (`default` aside: a CommonJS module seen from ESM has one, the whole module.exports, and an ESM
// entry may give one, as node:net's does.)
type Named<M> = Exclude<keyof M, 'default'>
same<Named<typeof esm>, Named<typeof cjs>>(true)
same<Named<typeof esmNet>, Named<typeof cjsNet>>(true)
same<Named<typeof esmHttp>, Named<typeof cjsHttp>>(true)

same<esm.Address, cjs.Address>(true)
same<esm.InetAddress, cjs.InetAddress>(true)
same<esm.UnixAddress, cjs.UnixAddress>(true)
same<esm.Backend, cjs.Backend>(true)
same<esm.Handlers<number>, cjs.Handlers<number>>(true)
same<esm.ConnectionOptions, cjs.ConnectionOptions>(true)
same<esm.ServerOptions<number>, cjs.ServerOptions<number>>(true)
same<esm.ListenOptions, cjs.ListenOptions>(true)
same<esm.InetListenOptions, cjs.InetListenOptions>(true)
same<esm.UnixListenOptions, cjs.UnixListenOptions>(true)
same<esm.CloseOptions, cjs.CloseOptions>(true)
same<esm.ConnectTarget, cjs.ConnectTarget>(true)
same<esm.InetConnectTarget, cjs.InetConnectTarget>(true)
same<esm.UnixConnectTarget, cjs.UnixConnectTarget>(true)
same<esm.Stats, cjs.Stats>(true)
same<esmNet.ServerOptions, cjsNet.ServerOptions>(true)
same<esmNet.SocketOptions, cjsNet.SocketOptions>(true)
same<esmNet.ConnectOptions, cjsNet.ConnectOptions>(true)
same<esmNet.TcpConnectOptions, cjsNet.TcpConnectOptions>(true)
same<esmNet.IpcConnectOptions, cjsNet.IpcConnectOptions>(true)
same<esmNet.ListenOptions, cjsNet.ListenOptions>(true)
same<esmNet.TcpListenOptions, cjsNet.TcpListenOptions>(true)
same<esmNet.IpcListenOptions, cjsNet.IpcListenOptions>(true)
same<esmNet.NetError, cjsNet.NetError>(true)
