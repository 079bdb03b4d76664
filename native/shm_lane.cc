#include "shm_lane.h"

#include <errno.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace ringpoll {

using shm::Descriptor;
using shm::Frame;

namespace {

enum TxState : uint8_t { kTxFree, kTxWriting, kTxPublished };

void StoreRelaxed(uint32_t* p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

}  // namespace

ShmLane::ShmLane(SlabPool* pool, LaneSink* sink, const ShmRegion& region, Role role)
    : pool_(pool),
      sink_(sink),
      region_(region),
      chunks_(region.layout.chunks),
      descs_(region.layout.descs),
      out_(pool, this) {
  pool_->CountMapped(static_cast<int64_t>(region_.layout.size));
  const int tx = role == Role::kConnector ? 0 : 1;
  auto ring = [this](int dir) {
    const shm::Layout& l = region_.layout;
    char* base = region_.base;
    return Ring{reinterpret_cast<shm::Control*>(base + l.control) + dir,
                reinterpret_cast<Descriptor*>(base + l.descs_at[dir]),
                reinterpret_cast<uint32_t*>(base + l.returns_at[dir]), base + l.chunks_at[dir]};
  };
  tx_ = ring(tx);
  rx_ = ring(1 - tx);
  tx_slabs_.assign(chunks_ / kChunksPerSlab, -1);
  rx_slabs_.assign(chunks_ / kChunksPerSlab, -1);
  tx_state_.assign(chunks_, kTxFree);
  rx_held_.assign(chunks_, 0);
  free_.reserve(chunks_);
  for (uint32_t i = chunks_; i > 0; --i) free_.push_back(i - 1);  // chunk 0 first
}

std::unique_ptr<ShmLane> ShmLane::Create(SlabPool* pool, LaneSink* sink, const ShmRegion& region, Role role) {
  std::unique_ptr<ShmLane> lane(new ShmLane(pool, sink, region, role));
  if (!lane->RegisterWindows()) return nullptr;  // the destructor unmaps what is left
  return lane;
}

// Windows: owner numbers 0..chunks-1 are the outgoing chunks, chunks..2*chunks-1 the incoming.
// On failure every window not registered is unmapped here (a registered one is the pool's).
bool ShmLane::RegisterWindows() {
  const uint32_t windows = chunks_ / kChunksPerSlab;
  bool ok = true;
  for (int d = 0; d < 2; ++d) {
    std::vector<int32_t>& slabs = d == 0 ? tx_slabs_ : rx_slabs_;
    char* area = d == 0 ? tx_.chunks : rx_.chunks;
    for (uint32_t w = 0; w < windows; ++w) {
      char* data = area + static_cast<size_t>(w) * kSlabSize;
      if (ok) {
        slabs[w] = pool_->AddLaneSlab(data, this, (d == 0 ? 0 : chunks_) + w * kChunksPerSlab);
        ok = slabs[w] >= 0;  // a failed window was unmapped by the pool
        if (ok) continue;
      } else {
        munmap(data, kSlabSize);
        pool_->CountMapped(-static_cast<int64_t>(kSlabSize));
      }
    }
  }
  return ok;
}

ShmLane::~ShmLane() {
  out_.Clear();
  for (size_t i = pending_head_; i < pending_.size(); ++i) pool_->Unref(pending_[i].chunk);
  for (int32_t s : tx_slabs_) {
    if (s >= 0) pool_->DetachLane(static_cast<uint32_t>(s));
  }
  for (int32_t s : rx_slabs_) {
    if (s >= 0) pool_->DetachLane(static_cast<uint32_t>(s));
  }
  // The header, control words and rings: nothing outside the lane points into them.
  const uint64_t rings = region_.layout.chunks_at[0];
  munmap(region_.base, rings);
  pool_->CountMapped(-static_cast<int64_t>(rings));
}

int32_t ShmLane::PoolChunk(int dir, uint32_t index) const {
  const std::vector<int32_t>& slabs = dir == 0 ? tx_slabs_ : rx_slabs_;
  return slabs[index / kChunksPerSlab] * static_cast<int32_t>(kChunksPerSlab) + static_cast<int32_t>(index % kChunksPerSlab);
}

// ---- chunks ---------------------------------------------------------------------------------

int32_t ShmLane::TakeChunk() {
  if (free_.empty()) return pool_->Alloc();  // the area is full: this output will be spilled
  const uint32_t index = free_.back();
  free_.pop_back();
  tx_state_[index] = kTxWriting;
  const int32_t chunk = PoolChunk(0, index);
  pool_->Revive(chunk);
  return chunk;
}

void ShmLane::Idle(uint32_t index) {
  if (index < chunks_) {
    // Published: it comes back through the return ring. Writing: lane_out let go of it unsent.
    if (tx_state_[index] == kTxWriting) {
      tx_state_[index] = kTxFree;
      free_.push_back(index);
    }
    return;
  }
  index -= chunks_;
  if (index >= chunks_ || !rx_held_[index]) return;
  rx_held_[index] = 0;
  PushReturn(index);
}

void ShmLane::PushReturn(uint32_t index) {
  StoreRelaxed(&rx_.returns[ret_tail_ & (chunks_ - 1)], index);
  ret_tail_++;
  shm::StoreRelease(&rx_.control->ret_tail.value, ret_tail_);
  WakeWriterIfWaiting();
}

// The flag rule, reader's side of writer_waiting: after making room (returns, descriptors
// consumed), wake a writer that said it waits.
void ShmLane::WakeWriterIfWaiting() {
  shm::FullFence();
  if (shm::Exchange(&rx_.control->writer_waiting.value, 0) == 1) {
    wake_due_ = true;
    sink_->LaneFlushDue();
  }
}

// ---- output ---------------------------------------------------------------------------------

int ShmLane::TakeReturns() {
  const uint32_t tail = shm::LoadAcquire(&tx_.control->ret_tail.value);
  if (tail - ret_head_ > chunks_) return EPROTO;
  for (; ret_head_ != tail; ret_head_++) {
    const uint32_t index = __atomic_load_n(&tx_.returns[ret_head_ & (chunks_ - 1)], __ATOMIC_RELAXED);
    if (index >= chunks_ || tx_state_[index] != kTxPublished) return EPROTO;  // unpublished, or twice
    published_count_--;
    if (pool_->refs(PoolChunk(0, index)) == 0) {
      tx_state_[index] = kTxFree;
      free_.push_back(index);
    } else {
      tx_state_[index] = kTxWriting;  // something still links it: free at its Idle
    }
  }
  shm::StoreRelease(&tx_.control->ret_head.value, ret_head_);
  return 0;
}

int ShmLane::Publish(LinkBuffer* socket_out) {
  if (const int err = TakeReturns(); err != 0) return err;
  const uint32_t start = desc_tail_;
  const char* area_end = tx_.chunks + static_cast<size_t>(chunks_) * kChunkSize;
  while (!out_.empty()) {
    const Segment s = out_.front();
    if (s.len == 0) {
      out_.Consume(0);
      continue;
    }
    const uint32_t head = shm::LoadAcquire(&tx_.control->desc_head.value);
    if (desc_tail_ - head > descs_) return EPROTO;
    if (desc_tail_ - head == descs_) {
      // Full: say so, then look once more (the reader may have moved meanwhile).
      shm::StoreRelease(&tx_.control->writer_waiting.value, 1);
      shm::FullFence();
      if (desc_tail_ - shm::LoadAcquire(&tx_.control->desc_head.value) >= descs_) break;
      shm::Exchange(&tx_.control->writer_waiting.value, 0);
      continue;
    }
    Descriptor d{};
    if (s.data >= tx_.chunks && s.data < area_end) {
      const size_t at = static_cast<size_t>(s.data - tx_.chunks);
      const uint32_t index = static_cast<uint32_t>(at / kChunkSize);
      d = {shm::kDescChunk, index, static_cast<uint32_t>(at % kChunkSize), s.len};
      tx_state_[index] = kTxPublished;
      published_count_++;
    } else {
      // A pool chunk (the area was full): the bytes go on the socket, in the ring's order.
      d = {shm::kDescSocket, 0, 0, s.len};
      const Frame f{shm::kFrameInline, {0, 0, 0}, s.len};
      if (!socket_out->Append(reinterpret_cast<const char*>(&f), sizeof f)) return ENOMEM;
      socket_out->LinkChunk(s.chunk, s.data, s.len);
    }
    Descriptor* slot = &tx_.descs[desc_tail_ & (descs_ - 1)];
    StoreRelaxed(&slot->kind, d.kind);
    StoreRelaxed(&slot->chunk, d.chunk);
    StoreRelaxed(&slot->offset, d.offset);
    StoreRelaxed(&slot->length, d.length);
    desc_tail_++;
    out_.Consume(s.len);  // a published lane chunk is never appended to again
  }
  if (desc_tail_ != start) {
    shm::StoreRelease(&tx_.control->desc_tail.value, desc_tail_);
    shm::FullFence();
    if (shm::Exchange(&tx_.control->reader_sleeping.value, 0) == 1) wake_due_ = true;
  }
  if (wake_due_) {
    const Frame wake{shm::kFrameWake, {0, 0, 0}, 0};
    if (!socket_out->Append(reinterpret_cast<const char*>(&wake), sizeof wake)) return ENOMEM;
    wake_due_ = false;
  }
  return 0;
}

// ---- input ----------------------------------------------------------------------------------

int ShmLane::Received(int32_t chunk, const char* data, uint32_t n) {
  while (n > 0) {
    if (inline_left_ > 0) {
      const uint32_t take = std::min(n, inline_left_);
      if (pending_bytes_ + take > kMaxPendingInline) return EPROTO;
      Piece* last = pending_.size() > pending_head_ ? &pending_.back() : nullptr;
      if (last != nullptr && last->chunk == chunk && last->data + last->len == data) {
        last->len += take;
      } else {
        pool_->Ref(chunk);
        pending_.push_back({chunk, data, take});
      }
      pending_bytes_ += take;
      inline_left_ -= take;
      data += take;
      n -= take;
      continue;
    }
    const uint32_t take = std::min<uint32_t>(n, sizeof header_ - header_len_);
    memcpy(header_ + header_len_, data, take);
    header_len_ += take;
    data += take;
    n -= take;
    if (header_len_ < sizeof header_) break;
    header_len_ = 0;
    Frame f;
    memcpy(&f, header_, sizeof f);
    if (f.kind == shm::kFrameWake && f.length == 0) {
      sink_->LaneFlushDue();  // the peer may have returned chunks or made descriptor room
    } else if (f.kind == shm::kFrameInline && f.length >= 1 && f.length <= shm::kMaxInline) {
      inline_left_ = f.length;
    } else {
      return EPROTO;
    }
  }
  return 0;
}

int ShmLane::FeedSocket(const char* data, size_t n) {
  while (n > 0) {
    const int32_t chunk = pool_->Alloc();
    if (chunk < 0) return ENOMEM;
    const uint32_t take = static_cast<uint32_t>(std::min<size_t>(n, kChunkSize));
    char* dst = pool_->Data(chunk);
    memcpy(dst, data, take);
    const int err = Received(chunk, dst, take);
    pool_->Unref(chunk);
    if (err != 0) return err;
    data += take;
    n -= take;
  }
  return 0;
}

int ShmLane::Harvest(size_t room) {
  const uint32_t start = desc_head_;
  size_t delivered = 0;
  int err = 0;
  waits_inline_ = false;
  for (;;) {
    uint32_t tail = shm::LoadAcquire(&rx_.control->desc_tail.value);
    if (tail - desc_head_ > descs_) {
      err = EPROTO;
      break;
    }
    if (tail == desc_head_) {
      unread_ = false;
      // The flag rule, reader's side: say we sleep, then look once more.
      shm::StoreRelease(&rx_.control->desc_head.value, desc_head_);
      shm::StoreRelease(&rx_.control->reader_sleeping.value, 1);
      shm::FullFence();
      tail = shm::LoadAcquire(&rx_.control->desc_tail.value);
      if (tail == desc_head_) break;
      shm::Exchange(&rx_.control->reader_sleeping.value, 0);
      continue;
    }
    unread_ = true;
    if (delivered >= room) break;
    const Descriptor d = shm::LoadDescriptor(&rx_.descs[desc_head_ & (descs_ - 1)]);
    if (d.kind == shm::kDescChunk) {
      if (d.chunk >= chunks_ || d.length == 0 || d.offset >= kChunkSize || d.length > kChunkSize - d.offset ||
          rx_held_[d.chunk]) {
        err = EPROTO;  // out of bounds, or a chunk we still hold published again
        break;
      }
      rx_held_[d.chunk] = 1;
      const int32_t chunk = PoolChunk(1, d.chunk);
      // Our own reference across the hand-over: whatever the sink does, the chunk's last
      // reference going (now or later) returns it.
      pool_->Revive(chunk);
      sink_->LaneInput(chunk, rx_.chunks + static_cast<size_t>(d.chunk) * kChunkSize + d.offset, d.length);
      pool_->Unref(chunk);
    } else if (d.kind == shm::kDescSocket) {
      if (d.length == 0 || d.length > shm::kMaxInline || d.chunk != 0 || d.offset != 0) {
        err = EPROTO;
        break;
      }
      if (pending_bytes_ < d.length) {
        waits_inline_ = true;  // its bytes are still on the way
        break;
      }
      for (uint32_t left = d.length; left > 0;) {
        Piece& p = pending_[pending_head_];
        const uint32_t take = std::min(left, p.len);
        sink_->LaneInput(p.chunk, p.data, take);
        p.data += take;
        p.len -= take;
        left -= take;
        if (p.len == 0) {
          pool_->Unref(p.chunk);
          pending_head_++;
        }
      }
      pending_bytes_ -= d.length;
      if (pending_head_ == pending_.size()) {
        pending_.clear();
        pending_head_ = 0;
      }
    } else {
      err = EPROTO;
      break;
    }
    desc_head_++;
  }
  if (desc_head_ != start) {
    shm::StoreRelease(&rx_.control->desc_head.value, desc_head_);
    WakeWriterIfWaiting();
  }
  return err;
}

int ShmLane::AtEnd() const {
  if (header_len_ != 0 || inline_left_ != 0) return EPROTO;
  return waits_inline_ ? EPROTO : 0;
}

}  // namespace ringpoll
