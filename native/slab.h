// Slab memory shared by the reactor and JS.
//
// A slab is an ordinary ArrayBuffer cut into fixed-size chunks. Native code keeps every slab alive
// with a reference and hands out chunks by id; JS keeps its own handle on each slab (getSlab) and
// looks at chunk bytes in place through Buffer views. A chunk is reference counted because one
// chunk can sit in two chains at once: the input chain that read into it and an output chain that
// forwards a view of it without copying.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <vector>

namespace ringpoll {

constexpr uint32_t kChunkSize = 16 * 1024;
constexpr uint32_t kChunksPerSlab = 64;
constexpr uint32_t kSlabSize = kChunkSize * kChunksPerSlab;

class SlabPool {
 public:
  explicit SlabPool(napi_env env) : env_(env) {}
  ~SlabPool();
  SlabPool(const SlabPool&) = delete;
  SlabPool& operator=(const SlabPool&) = delete;

  // A free chunk with one reference, or -1 when no slab can be created.
  int32_t Alloc();
  void Ref(int32_t chunk) { refs_[chunk]++; }
  void Unref(int32_t chunk);
  uint16_t refs(int32_t chunk) const { return refs_[chunk]; }

  char* Data(int32_t chunk) const {
    return slabs_[chunk / kChunksPerSlab].data + (chunk % kChunksPerSlab) * kChunkSize;
  }
  // The chunk that holds [p, p + len), or -1 when the range is not inside one chunk.
  int32_t ChunkOf(const void* p, size_t len) const;
  // The slab's ArrayBuffer, or nullptr for an index out of range.
  napi_value Slab(uint32_t index) const;

  napi_env env() const { return env_; }
  uint32_t slabs() const { return static_cast<uint32_t>(slabs_.size()); }
  uint32_t chunks() const { return slabs() * kChunksPerSlab; }
  uint32_t chunks_in_use() const { return in_use_; }

 private:
  bool Grow();

  struct SlabEntry {
    napi_ref ref;
    char* data;
  };
  napi_env env_;
  std::vector<SlabEntry> slabs_;
  std::vector<int32_t> free_;    // a stack, so the most recently freed (cache-warm) chunk goes first
  std::vector<uint16_t> refs_;   // per chunk
  uint32_t in_use_ = 0;
};

}  // namespace ringpoll
