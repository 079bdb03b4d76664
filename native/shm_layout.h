// The shm lane's wire format: what two ringpoll processes on one host agree on, and the only
// definition of it. A lane is one Unix-socket connection plus one memfd region that both processes
// map. The connector creates, sizes and seals the region and offers it in its first message (Hello,
// with the memfd as SCM_RIGHTS); the acceptor answers (Answer). After an accepted answer every byte
// on the socket, both ways, is a Frame; the application's bytes move through the region.
//
// The peer is another process and is not trusted: everything in this file that lives in the
// region can change under the reader at any moment. Read each index or descriptor ONCE into a
// local (the Load* helpers below), check it, then use only the local copy.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringpoll::shm {

constexpr uint32_t kVersion = 1;
constexpr uint32_t kChunkSize = 16 * 1024;  // the same as the slab pool's chunk (slab.h)
constexpr uint32_t kPage = 4096;
// The first bytes of Hello and Answer: a NUL first, so that text protocols never start this way.
constexpr unsigned char kMagic[8] = {0x00, 'r', 'p', 's', 'h', 'm', 0x00, 0x01};

// Limits on what a Hello may ask for (checked by the acceptor; the connector uses the defaults).
constexpr uint32_t kMinChunks = 64, kMaxChunks = 4096, kDefaultChunks = 512;  // per direction
constexpr uint32_t kMinDescs = 64, kMaxDescs = 65536, kDefaultDescs = 1024;   // powers of two

// Direction 0 carries the connector's bytes to the acceptor; direction 1 the acceptor's back.
constexpr int kDirections = 2;

// The connector's first message, sent with the memfd as SCM_RIGHTS.
struct Hello {
  unsigned char magic[8];
  uint32_t version;
  uint32_t chunks;  // chunks per direction: a power of two (so a multiple of 64), kMinChunks..kMaxChunks
  uint32_t descs;   // descriptor ring entries per direction: a power of two, kMinDescs..kMaxDescs
  uint32_t reserved;
  uint64_t size;    // the region's size in bytes: RegionSize(chunks, descs); fstat must agree
};
static_assert(sizeof(Hello) == 32);

// The acceptor's reply; `accepted` 1 means every later byte both ways is framed, 0 means the
// connection goes on as a plain Unix socket (the region is unmapped by both).
struct Answer {
  unsigned char magic[8];
  uint32_t version;
  uint32_t accepted;
};
static_assert(sizeof(Answer) == 16);

// After acceptance, the socket carries only frames. A wake asks the receiver to look at its
// incoming descriptor ring and at the returns of its outgoing direction. An inline frame carries
// `length` bytes of application data on the socket itself (a spill when the lane is full, or a
// small message sent with a wake anyway); a kDescSocket descriptor says where they go in order.
enum FrameKind : uint8_t { kFrameWake = 1, kFrameInline = 2 };
struct Frame {
  uint8_t kind;
  uint8_t pad[3];
  uint32_t length;  // 0 for a wake; 1..kMaxInline for an inline frame
};
static_assert(sizeof(Frame) == 8);
constexpr uint32_t kMaxInline = 1 << 20;

// One entry of a direction's descriptor ring, written by that direction's writer. The stream's
// order is the ring's order: a kDescChunk entry is `length` bytes at `offset` in chunk `chunk` of
// the direction's chunk area; a kDescSocket entry is the next `length` bytes of inline payload
// that arrive on the socket (chunk and offset 0).
enum DescKind : uint32_t { kDescChunk = 1, kDescSocket = 2 };
struct Descriptor {
  uint32_t kind;
  uint32_t chunk;   // < chunks
  uint32_t offset;  // offset + length <= kChunkSize
  uint32_t length;  // 1..kChunkSize (kDescSocket: 1..kMaxInline)
};
static_assert(sizeof(Descriptor) == 16);

// A direction's shared indices, each on its own cache line. Indices are free-running uint32
// counts (position = index & (capacity - 1)); a reader trusts `tail - head` only when it is at most
// the capacity. The writer owns desc_tail and ret_head; the reader owns desc_head and ret_tail.
// The flags follow one rule so that no wake-up is lost and none is sent to a busy reader:
//   reader, before it sleeps: store reader_sleeping = 1, full fence, look at the ring again;
//   writer, after publishing: full fence, exchange(reader_sleeping, 0) == 1 -> send a wake frame.
// writer_waiting is the same rule the other way round (the writer ran out of chunks or
// descriptors; the reader, after returning chunks or consuming descriptors, wakes it).
struct alignas(64) Line {
  uint32_t value;
  unsigned char pad[60];
};
struct Control {
  Line desc_tail;        // writer: descriptors published
  Line desc_head;        // reader: descriptors consumed
  Line ret_tail;         // reader: chunk indices returned
  Line ret_head;         // writer: returns taken back
  Line reader_sleeping;  // reader: 1 while it waits for a wake frame
  Line writer_waiting;   // writer: 1 while it waits for returns
};
static_assert(sizeof(Control) == 6 * 64);

// The region, in order, each part page aligned:
//   [header: a copy of the Hello] [Control x 2]
//   [Descriptor x descs, direction 0] [Descriptor x descs, direction 1]
//   [uint32 x chunks, returns of direction 0] [uint32 x chunks, returns of direction 1]
//   [chunks x kChunkSize, direction 0] [chunks x kChunkSize, direction 1]
// The return ring holds chunk indices the reader has finished with; its capacity is `chunks`
// (an honest writer never has more than that many out).
struct Layout {
  uint32_t chunks, descs;
  uint64_t control, descs_at[kDirections], returns_at[kDirections], chunks_at[kDirections], size;
};

constexpr uint64_t PageAlign(uint64_t n) { return (n + kPage - 1) / kPage * kPage; }

constexpr Layout LayoutFor(uint32_t chunks, uint32_t descs) {
  Layout l{chunks, descs, 0, {0, 0}, {0, 0}, {0, 0}, 0};
  uint64_t at = PageAlign(sizeof(Hello));
  l.control = at;
  at += PageAlign(sizeof(Control) * kDirections);
  for (int d = 0; d < kDirections; ++d) {
    l.descs_at[d] = at;
    at += PageAlign(uint64_t{descs} * sizeof(Descriptor));
  }
  for (int d = 0; d < kDirections; ++d) {
    l.returns_at[d] = at;
    at += PageAlign(uint64_t{chunks} * sizeof(uint32_t));
  }
  for (int d = 0; d < kDirections; ++d) {
    l.chunks_at[d] = at;
    at += uint64_t{chunks} * kChunkSize;
  }
  l.size = at;
  return l;
}

constexpr bool ValidGeometry(uint32_t chunks, uint32_t descs) {
  // Both are ring capacities indexed with free-running uint32 counts, so both are powers of two.
  return chunks >= kMinChunks && chunks <= kMaxChunks && (chunks & (chunks - 1)) == 0 && descs >= kMinDescs &&
         descs <= kMaxDescs && (descs & (descs - 1)) == 0;
}

// Shared-memory access: one load or store of a word the peer may be writing at the same time.
inline uint32_t LoadAcquire(const uint32_t* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
inline void StoreRelease(uint32_t* p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
inline uint32_t Exchange(uint32_t* p, uint32_t v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
inline void FullFence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
// A descriptor copied out field by field with relaxed loads (after an acquire of desc_tail), so
// that the checks and the use see the same values.
inline Descriptor LoadDescriptor(const Descriptor* p) {
  return {__atomic_load_n(&p->kind, __ATOMIC_RELAXED), __atomic_load_n(&p->chunk, __ATOMIC_RELAXED),
          __atomic_load_n(&p->offset, __ATOMIC_RELAXED), __atomic_load_n(&p->length, __ATOMIC_RELAXED)};
}

}  // namespace ringpoll::shm
