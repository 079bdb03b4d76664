// LinkBuffer: a connection's input or output bytes as a queue of segments.
//
// A segment is either a range of a slab chunk (reference counted in the SlabPool) or a range of a
// JS Uint8Array linked in place (pinned by the MemoryHost until the kernel has taken it). Bytes are
// appended at the tail (output: a copy, a reservation for JS to fill, a link; input: always a link
// of the range a backend read into) and consumed at the head (JS releasing input, the kernel
// taking output). Only the tail chunk that this buffer allocated
// itself is appended to, so a forwarded view of another connection's chunk is never written.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "slab.h"

namespace ringpoll {

struct Segment {
  char* data;
  uint32_t len;
  int32_t chunk;   // slab chunk id, or -1 for a linked JS buffer
  bool owned;      // a chunk this buffer allocated, so free space after it may be appended to
  void* pin;       // the linked JS buffer (MemoryHost::Pin), or nullptr
};

class LinkBuffer {
 public:
  // Chunks to append into come from `source` when given, else from the pool.
  explicit LinkBuffer(SlabPool* pool, ChunkSource* source = nullptr) : pool_(pool), source_(source) {}
  ~LinkBuffer() { Clear(); }
  LinkBuffer(const LinkBuffer&) = delete;
  LinkBuffer& operator=(const LinkBuffer&) = delete;

  size_t length() const { return length_; }
  bool empty() const { return length_ == 0; }
  // Segments queued (an upper bound on the iovecs FillIovecs fills).
  size_t segments() const { return segs_.size() - head_; }
  // The first segment; only when !empty().
  const Segment& front() const { return segs_[head_]; }

  // Contiguous free space of at least `min` bytes (min <= kChunkSize) at the tail, allocating a
  // chunk when the tail has too little. Returns nullptr when out of memory. `*space` gets the size.
  char* TailSpace(uint32_t min, uint32_t* space);
  // Counts `n` bytes written into the space TailSpace returned.
  void Commit(uint32_t n);
  // The chunk of the space TailSpace returned.
  int32_t TailChunk() const { return segs_.back().chunk; }

  // Appends a range of a slab chunk without copying (takes a chunk reference).
  void LinkChunk(int32_t chunk, const char* data, uint32_t len);
  // Appends a JS buffer's bytes without copying; the buffer takes ownership of `pin`.
  void LinkExternal(char* data, uint32_t len, void* pin);
  // Copies `len` bytes to the tail. Returns false when out of memory (a prefix may be appended).
  bool Append(const char* data, size_t len);

  // Drops `n` bytes (n <= length()) from the head, freeing every segment that empties.
  void Consume(size_t n);
  // Fills up to `max` iovecs from the head; returns how many.
  int FillIovecs(struct iovec* iov, int max) const;
  // False when one of the first `max` segments is a linked JS buffer that no longer holds the
  // memory it was linked with (its ArrayBuffer was detached or shrunk after the write): sending
  // it would read memory the JS heap may have freed. Under Node, needs an open handle scope.
  bool HeadLinksIntact(int max) const;
  void Clear();

 private:
  void PushSegment(const Segment& s);
  void PopFront();
  void FreeSegment(Segment& s);

  SlabPool* pool_;
  ChunkSource* source_;
  std::vector<Segment> segs_;   // segs_[head_..] are live; the prefix is compacted away lazily
  size_t head_ = 0;
  size_t length_ = 0;
};

}  // namespace ringpoll
