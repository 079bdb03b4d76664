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
  // The flag rule from the start: we wait for the peer's first descriptors (it publishes none
  // before the Answer, which goes out after this), whatever flags the region was created with.
  shm::StoreRelease(&rx_.control->reader_sleeping.value, 1);
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

// One descriptor's room in the ring, by the flag rule when it is full: say we wait, look again.
// 0 (room), EAGAIN (full: writer_waiting is set, the reader's progress wakes us) or EPROTO.
int ShmLane::DescriptorRoom() {
  const uint32_t head = shm::LoadAcquire(&tx_.control->desc_head.value);
  if (desc_tail_ - head > descs_) return EPROTO;  // the reader claims more than was published
  if (desc_tail_ - head < descs_) return 0;
  shm::StoreRelease(&tx_.control->writer_waiting.value, 1);
  shm::FullFence();
  if (desc_tail_ - shm::LoadAcquire(&tx_.control->desc_head.value) >= descs_) return EAGAIN;
  shm::Exchange(&tx_.control->writer_waiting.value, 0);
  return 0;
}

// Whether to copy the next chunk's worth now, by the flag rule when the area is full. A reader
// that has taken every descriptor holds our chunks itself (its application keeps them): only the
// socket makes progress, so the copy spills (TakeChunk gives a pool chunk). A reader with
// descriptors still to take is only behind, and what it takes or returns wakes us: waiting for
// it keeps the bytes in shared memory instead of sending them through the socket.
// 0 (copy), EAGAIN (wait: writer_waiting is set) or EPROTO.
int ShmLane::ChunkRoom() {
  if (!free_.empty()) return 0;
  if (const int err = TakeReturns(); err != 0 || !free_.empty()) return err;
  if (ReaderTookOurChunks()) return 0;
  shm::StoreRelease(&tx_.control->writer_waiting.value, 1);
  shm::FullFence();
  if (const int err = TakeReturns(); err != 0) return err;
  if (free_.empty() && !ReaderTookOurChunks()) return EAGAIN;
  shm::Exchange(&tx_.control->writer_waiting.value, 0);
  return 0;
}

// The reader has taken every chunk descriptor (the socket descriptors after them do not matter).
bool ShmLane::ReaderTookOurChunks() const {
  const uint32_t unread = desc_tail_ - shm::LoadAcquire(&tx_.control->desc_head.value);
  return unread <= desc_tail_ - chunk_descs_end_;
}

void ShmLane::Post(const Descriptor& d) {
  Descriptor* slot = &tx_.descs[desc_tail_ & (descs_ - 1)];
  StoreRelaxed(&slot->kind, d.kind);
  StoreRelaxed(&slot->chunk, d.chunk);
  StoreRelaxed(&slot->offset, d.offset);
  StoreRelaxed(&slot->length, d.length);
  desc_tail_++;
}

// [data, data + len) of pool chunk `chunk`, in our area (a descriptor) or not (spilled: a
// descriptor saying "from the socket", and the bytes linked after an inline frame header).
bool ShmLane::PublishRange(int32_t chunk, const char* data, uint32_t len, LinkBuffer* socket_out) {
  const char* area_end = tx_.chunks + static_cast<size_t>(chunks_) * kChunkSize;
  if (data >= tx_.chunks && data < area_end) {
    const size_t at = static_cast<size_t>(data - tx_.chunks);
    const uint32_t index = static_cast<uint32_t>(at / kChunkSize);
    Post({shm::kDescChunk, index, static_cast<uint32_t>(at % kChunkSize), len});
    tx_state_[index] = kTxPublished;
    published_count_++;
    chunk_descs_end_ = desc_tail_;
    return true;
  }
  const Frame f{shm::kFrameInline, {0, 0, 0}, len};
  if (!socket_out->Append(reinterpret_cast<const char*>(&f), sizeof f)) return false;
  socket_out->LinkChunk(chunk, data, len);
  Post({shm::kDescSocket, 0, 0, len});
  return true;
}

int ShmLane::Publish(LinkBuffer* socket_out, bool spill) {
  if (const int err = TakeReturns(); err != 0) return err;
  const uint32_t start = desc_tail_;
  int err = 0;
  while (!out_.empty() && err == 0) {
    const Segment s = out_.front();
    if (s.len == 0) {
      out_.Consume(0);
      continue;
    }
    if (s.owned) {
      // Bytes written into a chunk of ours: a lane chunk, or a pool chunk when the area was full.
      if ((err = DescriptorRoom()) != 0) break;
      if (!PublishRange(s.chunk, s.data, s.len, socket_out)) return ENOMEM;
      out_.Consume(s.len);  // a published chunk is never appended to again
      continue;
    }
    // A forwarded view or a linked JS buffer (writer.malloc's large buffers are filled after the
    // call): copied now, once, into chunks of ours.
    if (s.pin != nullptr && !out_.HeadLinksIntact(1)) return EFAULT;
    uint32_t done = 0;
    while (done < s.len && (err = DescriptorRoom()) == 0 && (spill || (err = ChunkRoom()) == 0)) {
      const int32_t chunk = TakeChunk();
      if (chunk < 0) return ENOMEM;
      const uint32_t n = std::min(kChunkSize, s.len - done);
      char* dst = pool_->Data(chunk);
      memcpy(dst, s.data + done, n);
      const bool ok = PublishRange(chunk, dst, n, socket_out);
      pool_->Unref(chunk);  // the ring (published) or the socket's chain (spilled) holds it now
      if (!ok) return ENOMEM;
      done += n;
    }
    out_.Consume(done);
  }
  if (err != 0 && err != EAGAIN) return err;
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
      delivered += d.length;
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
      delivered += d.length;
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
