#include "slab.h"

#include <sys/mman.h>

#include <algorithm>

namespace ringpoll {

// Slab memory is mapped, not taken from malloc, so a freed slab's pages go back to the system
// when its ArrayBuffer is collected, whatever the allocator would have kept.
void SlabPool::Collected(void* token) {
  Mapping* m = static_cast<Mapping*>(token);
  m->collected = true;
  if (!m->pool_holds) Unmap(m);
}

void SlabPool::Unmap(Mapping* m) {
  munmap(m->data, kSlabSize);
  if (m->lane_mapped) *m->lane_mapped -= kSlabSize;
  delete m;
}

// The pool lets go of a slab's pages: unmapped now if the ArrayBuffer is gone, else by its finalizer.
void SlabPool::LetGo(SlabEntry* s) {
  host_->ReleaseSlab(s->js);
  s->mapping->pool_holds = false;
  if (s->mapping->collected) Unmap(s->mapping);
}

// The backends are gone by now: nothing writes into slab memory any more.
SlabPool::~SlabPool() {
  for (SlabEntry& s : slabs_) {
    if (s.mapping != nullptr) LetGo(&s);
  }
}

// A new slab, in the first index that is free and not retired (chunk ids stay small and stable).
bool SlabPool::Grow() {
  void* data = mmap(nullptr, kSlabSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) return false;
  Mapping* mapping = new Mapping{static_cast<char*>(data), false, false, nullptr};
  mapping->pool_holds = true;
  void* js = host_->ExportSlab(static_cast<char*>(data), kSlabSize, mapping);
  if (js == nullptr) {  // Collected has been called, or will be for an object made on the way
    mapping->pool_holds = false;
    if (mapping->collected) {
      munmap(data, kSlabSize);
      delete mapping;
    }
    return false;
  }
  const size_t index = FreeIndex();
  slabs_[index] = SlabEntry{mapping, js, static_cast<char*>(data), 0, 0, false};
  const int32_t first = static_cast<int32_t>(index * kChunksPerSlab);
  for (int32_t i = kChunksPerSlab - 1; i >= 0; --i) free_.push_back(first + i);
  peak_ = std::max(peak_, ++live_);
  return true;
}

size_t SlabPool::FreeIndex() {
  auto it = std::find_if(slabs_.begin(), slabs_.end(), [](const SlabEntry& s) { return s.data == nullptr && !s.retired; });
  const size_t index = static_cast<size_t>(it - slabs_.begin());
  if (it == slabs_.end()) {
    slabs_.push_back(SlabEntry{nullptr, nullptr, nullptr, 0, 0, false});
    refs_.resize(refs_.size() + kChunksPerSlab, 0);
  }
  return index;
}

int32_t SlabPool::Alloc() {
  if (free_.empty() && !Grow()) return -1;
  const int32_t chunk = free_.back();
  free_.pop_back();
  refs_[chunk] = 1;
  in_use_++;
  SlabEntry& s = slabs_[chunk / kChunksPerSlab];
  s.used++;
  s.idle_since = 0;
  return chunk;
}

void SlabPool::Unref(int32_t chunk) {
  if (--refs_[chunk] != 0) return;
  const uint32_t index = static_cast<uint32_t>(chunk) / kChunksPerSlab;
  SlabEntry& s = slabs_[index];
  s.used--;
  if (!s.lane) {
    free_.push_back(chunk);
    in_use_--;
  } else if (s.owner != nullptr) {
    s.owner->Idle(s.owner_first + static_cast<uint32_t>(chunk) % kChunksPerSlab);
  } else if (s.used == 0) {
    FreeLane(index);
  }
}

// ---- lane slabs ----

int32_t SlabPool::AddLaneSlab(char* data, ChunkOwner* owner, uint32_t first) {
  Mapping* mapping = new Mapping{data, true, false, lane_mapped_};
  void* js = host_->ExportSlab(data, kSlabSize, mapping);
  if (js == nullptr) {  // as in Grow: Collected has run or will
    mapping->pool_holds = false;
    if (mapping->collected) Unmap(mapping);
    return -1;
  }
  const size_t index = FreeIndex();
  SlabEntry entry{mapping, js, data, 0, 0, false};
  entry.lane = true;
  entry.owner = owner;
  entry.owner_first = first;
  slabs_[index] = entry;
  lane_live_++;
  return static_cast<int32_t>(index);
}

void SlabPool::DetachLane(uint32_t index) {
  SlabEntry& s = slabs_[index];
  s.owner = nullptr;
  if (s.used == 0) FreeLane(index);
}

void SlabPool::Revive(int32_t chunk) {
  refs_[chunk] = 1;
  slabs_[static_cast<uint32_t>(chunk) / kChunksPerSlab].used++;
}

// A detached window nobody in native code uses any more: JS drops its views at the SLAB record,
// and the window is unmapped when its ArrayBuffer is collected.
void SlabPool::FreeLane(uint32_t index) {
  SlabEntry& s = slabs_[index];
  LetGo(&s);
  s = SlabEntry{nullptr, nullptr, nullptr, 0, 0, true};
  lane_live_--;
  lane_freed_.push_back(static_cast<int32_t>(index));
}

void SlabPool::TakeFreed(std::vector<int32_t>* out) {
  out->insert(out->end(), lane_freed_.begin(), lane_freed_.end());
  lane_freed_.clear();
}

bool SlabPool::Shrink(uint64_t now, std::vector<int32_t>* freed) {
  uint32_t budget = kShrinkPerSweep;
  for (uint32_t i = 0; i < slabs_.size() && budget > 0 && live_ > kSlabFloor; ++i) {
    SlabEntry& s = slabs_[i];
    if (s.data == nullptr || s.used != 0 || s.lane) continue;
    if (s.idle_since == 0) {
      s.idle_since = now == 0 ? 1 : now;  // 0 means "in use since the last sweep"
    } else if (now - s.idle_since >= kSlabIdleMs) {
      Free(i);
      freed->push_back(static_cast<int32_t>(i));
      budget--;
    }
  }
  return live_ > kSlabFloor;
}

// The ArrayBuffer goes once JS has dropped its views too (after the SLAB record).
void SlabPool::Free(uint32_t index) {
  SlabEntry& s = slabs_[index];
  const int32_t first = static_cast<int32_t>(index * kChunksPerSlab);
  free_.erase(std::remove_if(free_.begin(), free_.end(),
                             [first](int32_t c) { return c >= first && c < first + static_cast<int32_t>(kChunksPerSlab); }),
              free_.end());
  LetGo(&s);  // no chunk of it is in use, none is in the io_uring ring
  s = SlabEntry{nullptr, nullptr, nullptr, 0, 0, true};
  live_--;
  freed_++;
}

void SlabPool::Reusable(uint32_t index) {
  if (index < slabs_.size()) slabs_[index].retired = false;
}

int32_t SlabPool::ChunkOf(const void* p, size_t len) const {
  const char* c = static_cast<const char*>(p);
  for (size_t i = 0; i < slabs_.size(); ++i) {
    const char* base = slabs_[i].data;
    if (base == nullptr || c < base || c >= base + kSlabSize) continue;
    const size_t offset = static_cast<size_t>(c - base);
    const size_t in_chunk = offset % kChunkSize;
    if (in_chunk + len > kChunkSize) return -1;
    return static_cast<int32_t>(i * kChunksPerSlab + offset / kChunkSize);
  }
  return -1;
}

void* SlabPool::Slab(uint32_t index) const { return index < slabs_.size() ? slabs_[index].js : nullptr; }

}  // namespace ringpoll
