#include "slab.h"

namespace ringpoll {

SlabPool::~SlabPool() {
  for (SlabEntry& s : slabs_) napi_delete_reference(env_, s.ref);
}

bool SlabPool::Grow() {
  void* data = nullptr;
  napi_value buffer;
  if (napi_create_arraybuffer(env_, kSlabSize, &data, &buffer) != napi_ok) return false;
  napi_ref ref;
  if (napi_create_reference(env_, buffer, 1, &ref) != napi_ok) return false;
  const int32_t first = static_cast<int32_t>(slabs_.size() * kChunksPerSlab);
  slabs_.push_back({ref, static_cast<char*>(data)});
  refs_.resize(refs_.size() + kChunksPerSlab, 0);
  for (int32_t i = kChunksPerSlab - 1; i >= 0; --i) free_.push_back(first + i);
  return true;
}

int32_t SlabPool::Alloc() {
  if (free_.empty() && !Grow()) return -1;
  const int32_t chunk = free_.back();
  free_.pop_back();
  refs_[chunk] = 1;
  in_use_++;
  return chunk;
}

void SlabPool::Unref(int32_t chunk) {
  if (--refs_[chunk] != 0) return;
  free_.push_back(chunk);
  in_use_--;
}

int32_t SlabPool::ChunkOf(const void* p, size_t len) const {
  const char* c = static_cast<const char*>(p);
  for (size_t i = 0; i < slabs_.size(); ++i) {
    const char* base = slabs_[i].data;
    if (c < base || c >= base + kSlabSize) continue;
    const size_t offset = static_cast<size_t>(c - base);
    const size_t in_chunk = offset % kChunkSize;
    if (in_chunk + len > kChunkSize) return -1;
    return static_cast<int32_t>(i * kChunksPerSlab + offset / kChunkSize);
  }
  return -1;
}

napi_value SlabPool::Slab(uint32_t index) const {
  if (index >= slabs_.size()) return nullptr;
  napi_value value = nullptr;
  napi_get_reference_value(env_, slabs_[index].ref, &value);
  return value;
}

}  // namespace ringpoll
