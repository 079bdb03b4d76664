// Writes the seed corpus of fuzz/shm_receive_fuzz.cc into the directory given as argument: a few
// valid exchanges, one file each, in the target's encoding (read front to back, little-endian):
//   byte 0: bit 0 set, our side accepts (reads direction 0), else connects; byte 1: teardown order
//   then operations, each an opcode byte followed by its fields:
//   0 target:u8 index:u16 value:u32   the peer writes a shared word (target 0 control, 1 descriptor
//                                     field, 2 return slot, 3 header; see ControlWord/DescriptorWord)
//   1 kind chunk offset length:u32    the peer publishes a descriptor
//   2 chunk:u32                       the peer returns a chunk of our output
//   3 n:u16 bytes[n % 256]            socket bytes as they are
//   4 length:u32 n:u32                an inline frame header for `length`, then n filler bytes
//   5 room:u8                         harvest (room index into 0, 1, 100, 16 KiB, 1 MiB, all)
//   6 n:u16                           release n bytes of input (0xffff: all)
//   7 n:u16 k:u8                      write n + (k % 4) * 65536 bytes, publish
//   8 n:u16                           the kernel took n framed bytes (0xffff: all), publish
//   9                                 the peer's FIN: harvest what is left, check the end
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const u8 = (v) => [v & 255]
const u16 = (v) => [v & 255, (v >> 8) & 255]
const u32 = (v) => [...u16(v & 0xffff), ...u16(v >>> 16)]

const CHUNK = 1, SOCKET = 2, ALL = 0xffff
const op = {
  poke: (target, index, value) => [0, ...u8(target), ...u16(index), ...u32(value)],
  desc: (kind, chunk, offset, length) => [1, ...u32(kind), ...u32(chunk), ...u32(offset), ...u32(length)],
  ret: (chunk) => [2, ...u32(chunk)],
  raw: (bytes) => [3, ...u16(bytes.length), ...bytes],
  inline: (length, n = length) => [4, ...u32(length), ...u32(n)],
  harvest: (room = 5) => [5, room],
  release: (n = ALL) => [6, ...u16(n)],
  write: (n, k = 0) => [7, ...u16(n), k],
  sent: (n = ALL) => [8, ...u16(n)],
  fin: () => [9],
}
const wakeFrame = [1, 0, 0, 0, 0, 0, 0, 0]
// The peer consumed our descriptors up to `n`: desc_head of the direction we write.
const peerRead = (acceptor, n) => op.poke(0, (acceptor ? 1 : 0) * 6 + 1, n)

const seeds = {
  'accept-one-chunk': [1, 0, ...op.desc(CHUNK, 0, 0, 100), ...op.raw(wakeFrame), ...op.harvest(), ...op.release(), ...op.fin()],
  'accept-inline': [1, 1, ...op.inline(300), ...op.desc(SOCKET, 0, 0, 300), ...op.harvest(), ...op.release(), ...op.fin()],
  'connect-write-and-returns': [0, 0, ...op.write(5000), ...op.sent(), ...peerRead(false, 1), ...op.ret(0),
    ...op.write(20000), ...op.sent(), ...peerRead(false, 3), ...op.ret(1), ...op.ret(2), ...op.write(100), ...op.fin()],
  'accept-echo': [1, 0,
    ...op.desc(CHUNK, 0, 0, 1000), ...op.desc(CHUNK, 1, 0, 16384), ...op.inline(50), ...op.desc(SOCKET, 0, 0, 50),
    ...op.harvest(3), ...op.write(17434), ...op.release(), ...op.sent(), ...peerRead(true, 2), ...op.ret(0), ...op.ret(1),
    ...op.harvest(), ...op.fin()],
  'accept-paused-then-full-ring': [1, 1,
    ...Array.from({ length: 64 }, (_, i) => op.desc(CHUNK, i, 0, 16384)).flat(), ...op.harvest(0), ...op.harvest(2),
    ...op.release(), ...op.harvest(), ...op.release(), ...op.fin()],
  'connect-spill': [0, 1, ...op.write(0xffff, 3), ...op.write(0xffff, 3), ...op.write(0xffff, 3), ...op.write(0xffff, 3),
    ...op.write(0xffff, 3), ...op.sent(), ...op.sent(), ...op.fin()],
}

const dir = process.argv[2]
mkdirSync(dir, { recursive: true })
for (const [name, bytes] of Object.entries(seeds)) writeFileSync(join(dir, `seed-${name}`), Buffer.from(bytes))
