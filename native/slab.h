// Slab memory shared by the reactor and JS.
//
// A slab is mapped memory shown to JS as an ArrayBuffer (by the MemoryHost, js_host.h) and cut
// into fixed-size chunks. Native code keeps every slab's JS object alive and hands out chunks by id; JS keeps its own handle on each slab (getSlab) and
// looks at chunk bytes in place through Buffer views. A chunk is reference counted because one
// chunk can sit in two chains at once: the input chain that read into it and an output chain that
// forwards a view of it without copying.
//
// Slabs go back at a bounded pace (Shrink, from the reactor's timer): one whose chunks have all
// been free for kSlabIdleMs is let go of, at most kShrinkPerSweep per sweep and never below
// kSlabFloor slabs. JS drops its views of a freed slab when it reads the reactor's SLAB record;
// until then the index is retired (not reused), so no JS view can name a newer slab's memory.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "js_host.h"

namespace ringpoll {

constexpr uint32_t kChunkSize = 16 * 1024;
constexpr uint32_t kChunksPerSlab = 64;
constexpr uint32_t kSlabSize = kChunkSize * kChunksPerSlab;
constexpr uint32_t kSlabFloor = 1;       // slabs kept however idle (holds io_uring's initial ring)
constexpr uint32_t kSlabIdleMs = 1000;   // wholly free for this long before a slab goes back
constexpr uint32_t kShrinkPerSweep = 4;  // slabs freed per timer sweep at most

// The owner of a lane slab's chunks (shm_lane.h): told when one of its chunks has no reference
// left. `index` is the owner's own number for the chunk (given at AddLaneSlab).
class ChunkOwner {
 public:
  virtual void Idle(uint32_t index) = 0;

 protected:
  ~ChunkOwner() = default;
};

// Where a LinkBuffer takes the chunks it appends into, when not from the pool itself.
class ChunkSource {
 public:
  // A chunk with one reference, or -1 when none can be had.
  virtual int32_t TakeChunk() = 0;

 protected:
  ~ChunkSource() = default;
};

class SlabPool {
 public:
  explicit SlabPool(MemoryHost* host) : host_(host) {}
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
  // The host's handle of the slab's JS object, or nullptr for an index out of range or a freed slab.
  void* Slab(uint32_t index) const;

  // Frees slabs idle since before now - kSlabIdleMs (see above), appending their indices to
  // `freed`; true while the pool is above its floor (so later sweeps may free more).
  bool Shrink(uint64_t now, std::vector<int32_t>* freed);
  // JS has seen that slab `index` was freed: the index may hold a new slab.
  void Reusable(uint32_t index);

  // ---- lane slabs: a 1 MiB window of a shm region (shm_lane.h) ----
  // Registers kSlabSize bytes at `data` (page aligned, mapped by the caller) as a slab that JS sees
  // like any other, whose chunks start with no reference, are never on the free list and are not
  // shrunk; chunk i's last reference going calls owner->Idle(first + i). From now on the pool
  // unmaps the window (when both it and JS have let go, after DetachLane). The slab index, or -1
  // (the window is unmapped then).
  int32_t AddLaneSlab(char* data, ChunkOwner* owner, uint32_t first);
  // The owner is going: later idles are ignored; the slab is freed (a SLAB record, TakeFreed) as
  // soon as none of its chunks has a reference.
  void DetachLane(uint32_t index);
  // A lane chunk with no reference taken into use again (its owner's free list): one reference.
  void Revive(int32_t chunk);
  // Lane slabs freed since the last call, appended to `out` (the reactor emits their SLAB records).
  void TakeFreed(std::vector<int32_t>* out);
  bool has_freed() const { return !lane_freed_.empty(); }
  // Bytes of shm mapping outside the pool's windows (a lane's rings) come and go through here, so
  // that lane_mapped_bytes() counts every byte of every region still mapped.
  void CountMapped(int64_t bytes) { *lane_mapped_ += static_cast<uint64_t>(bytes); }
  uint32_t lane_slabs() const { return lane_live_; }
  uint64_t lane_mapped_bytes() const { return *lane_mapped_; }

  MemoryHost* host() const { return host_; }
  // JS has let go of a slab's object (MemoryHost::ExportSlab's token).
  static void Collected(void* token);
  uint32_t slabs() const { return live_; }
  uint32_t peak_slabs() const { return peak_; }
  uint64_t freed_slabs() const { return freed_; }
  uint32_t chunks() const { return live_ * kChunksPerSlab; }
  uint32_t chunks_in_use() const { return in_use_; }

 private:
  bool Grow();
  void Free(uint32_t index);

  // One slab's pages. Whoever lets go last unmaps them: the pool (at its end, after the backends,
  // which may still have the kernel write into them) or JS (on collection, or at environment
  // teardown, which may come first).
  struct Mapping {
    char* data;
    bool pool_holds;  // the pool has not let go yet
    bool collected;   // JS has let go
    std::shared_ptr<uint64_t> lane_mapped;  // a lane window: the pool's count of shm bytes mapped
  };
  static void Unmap(Mapping* m);

  struct SlabEntry {
    Mapping* mapping;    // nullptr once freed
    void* js;            // the host's handle of its JS object
    char* data;          // nullptr once freed
    uint32_t used;       // chunks with references
    uint64_t idle_since; // loop time a sweep first saw it wholly free; 0 = in use since
    bool retired;        // freed, and JS may still hold views of it
    bool lane = false;   // a lane window (AddLaneSlab)
    ChunkOwner* owner = nullptr;  // a lane window's owner; nullptr once detached
    uint32_t owner_first = 0;     // the owner's number for the window's first chunk
  };
  MemoryHost* host_;
  void LetGo(SlabEntry* s);
  // The first index that is free and not retired (a new entry at the end if none).
  size_t FreeIndex();
  void FreeLane(uint32_t index);

  std::vector<SlabEntry> slabs_;
  std::vector<int32_t> free_;    // a stack, so the most recently freed (cache-warm) chunk goes first
  std::vector<uint16_t> refs_;   // per chunk
  uint32_t in_use_ = 0;
  uint32_t live_ = 0, peak_ = 0;
  uint64_t freed_ = 0;
  uint32_t lane_live_ = 0;
  std::vector<int32_t> lane_freed_;  // lane slabs freed, their SLAB records not yet emitted
  std::shared_ptr<uint64_t> lane_mapped_ = std::make_shared<uint64_t>(0);
};

}  // namespace ringpoll
