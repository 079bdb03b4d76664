#include "link_buffer.h"

#include <cstring>

namespace ringpoll {

char* LinkBuffer::TailSpace(uint32_t min, uint32_t* space) {
  if (head_ < segs_.size()) {
    Segment& tail = segs_.back();
    if (tail.owned) {
      char* end = tail.data + tail.len;
      const uint32_t free = static_cast<uint32_t>(pool_->Data(tail.chunk) + kChunkSize - end);
      if (free >= min && free > 0) {
        *space = free;
        return end;
      }
    }
  }
  const int32_t chunk = source_ != nullptr ? source_->TakeChunk() : pool_->Alloc();
  if (chunk < 0) return nullptr;
  PushSegment({pool_->Data(chunk), 0, chunk, true, nullptr});
  *space = kChunkSize;
  return segs_.back().data;
}

void LinkBuffer::Commit(uint32_t n) {
  segs_.back().len += n;
  length_ += n;
}

void LinkBuffer::LinkChunk(int32_t chunk, const char* data, uint32_t len) {
  if (len == 0) return;
  if (head_ < segs_.size()) {
    // Bytes that continue the tail segment in the same chunk (successive receives) extend it.
    Segment& tail = segs_.back();
    if (tail.chunk == chunk && !tail.owned && tail.data + tail.len == data) {
      tail.len += len;
      length_ += len;
      return;
    }
  }
  pool_->Ref(chunk);
  PushSegment({const_cast<char*>(data), len, chunk, false, nullptr});
  length_ += len;
}

void LinkBuffer::LinkExternal(char* data, uint32_t len, void* pin) {
  PushSegment({data, len, -1, false, pin});
  length_ += len;
}

bool LinkBuffer::Append(const char* data, size_t len) {
  size_t done = 0;
  while (done < len) {
    uint32_t space = 0;
    char* dst = TailSpace(1, &space);
    if (dst == nullptr) return false;
    const size_t n = len - done < space ? len - done : space;
    memcpy(dst, data + done, n);
    Commit(static_cast<uint32_t>(n));
    done += n;
  }
  return true;
}

void LinkBuffer::Consume(size_t n) {
  length_ -= n;
  while (head_ < segs_.size()) {
    Segment& s = segs_[head_];
    if (n < s.len) {
      s.data += n;
      s.len -= static_cast<uint32_t>(n);
      return;
    }
    n -= s.len;
    PopFront();
  }
}

int LinkBuffer::FillIovecs(struct iovec* iov, int max) const {
  int count = 0;
  for (size_t i = head_; i < segs_.size() && count < max; ++i) {
    if (segs_[i].len == 0) continue;
    iov[count].iov_base = segs_[i].data;
    iov[count].iov_len = segs_[i].len;
    count++;
  }
  return count;
}

bool LinkBuffer::HeadLinksIntact(int max) const {
  for (size_t i = head_; i < segs_.size() && max > 0; ++i, --max) {
    const Segment& s = segs_[i];
    if (s.pin != nullptr && !pool_->host()->Holds(s.pin, s.data, s.len)) return false;
  }
  return true;
}

void LinkBuffer::Clear() {
  while (head_ < segs_.size()) PopFront();
  length_ = 0;
}

void LinkBuffer::PushSegment(const Segment& s) {
  if (head_ == segs_.size()) {
    segs_.clear();
    head_ = 0;
  }
  segs_.push_back(s);
}

void LinkBuffer::PopFront() {
  FreeSegment(segs_[head_]);
  head_++;
  if (head_ == segs_.size()) {
    segs_.clear();
    head_ = 0;
  } else if (head_ >= 32 && head_ * 2 >= segs_.size()) {
    segs_.erase(segs_.begin(), segs_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void LinkBuffer::FreeSegment(Segment& s) {
  if (s.chunk >= 0) pool_->Unref(s.chunk);
  if (s.pin != nullptr) {
    pool_->host()->Unpin(s.pin);
    s.pin = nullptr;
  }
}

}  // namespace ringpoll
