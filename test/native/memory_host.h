// JS, as far as SlabPool and LinkBuffer see it, without Node: slabs and linked buffers are counted
// while held; a slab is collected as soon as the pool lets go of it; a buffer can be detached; the
// next slab export can be made to fail, as when the JS heap is exhausted. Shared by the native
// tests and the fuzz target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "js_host.h"
#include "slab.h"

namespace ringpoll {

class TestMemoryHost final : public MemoryHost {
 public:
  struct Buffer {
    std::vector<char> bytes;
    bool detached = false;
  };

  void* ExportSlab(char*, size_t, void* token) override {
    if (fail_next_) {
      fail_next_ = false;
      SlabPool::Collected(token);
      return nullptr;
    }
    live_++;
    return token;
  }
  void ReleaseSlab(void* slab) override {
    live_--;
    SlabPool::Collected(slab);
  }
  void* Pin(void* buffer) override {
    live_++;
    return buffer;
  }
  bool Holds(void* pin, const char* data, uint32_t len) override {
    const Buffer* b = static_cast<Buffer*>(pin);
    return !b->detached && data >= b->bytes.data() && data + len <= b->bytes.data() + b->bytes.size();
  }
  void Unpin(void* pin) override {
    live_--;
    delete static_cast<Buffer*>(pin);
  }

  // A transfer: the memory is freed, the length becomes 0.
  static void Detach(Buffer* b) {
    b->bytes.clear();
    b->bytes.shrink_to_fit();
    b->detached = true;
  }
  void FailNextSlab() { fail_next_ = true; }
  int live() const { return live_; }  // slabs and buffers held

 private:
  int live_ = 0;
  bool fail_next_ = false;
};

}  // namespace ringpoll
