// What the native core needs from the JavaScript side it serves, as an interface, so that nothing
// below the binding sees Node-API: binding.cc implements it with Node-API; the fuzz target and the
// native tests implement it without Node.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringpoll {

// Memory shared with JS: what SlabPool and LinkBuffer need.
class MemoryHost {
 public:
  // Shows a slab's `size` bytes at `data` to JS (under Node, an external ArrayBuffer). Returns a
  // handle that keeps the JS object alive until ReleaseSlab, or nullptr when that fails. Whichever
  // comes last, the pool's ReleaseSlab or JS letting go of the object, unmaps the memory, so the
  // host calls SlabPool::Collected(token) exactly once per call: when JS lets go of the object, or,
  // when no object was made, before returning nullptr.
  virtual void* ExportSlab(char* data, size_t size, void* token) = 0;
  virtual void ReleaseSlab(void* slab) = 0;

  // Keeps a JS buffer alive while an output chain links its bytes in place; `buffer` is the
  // host's own handle of it, valid during the call. nullptr when that fails.
  virtual void* Pin(void* buffer) = 0;
  // False when the pinned buffer no longer holds [data, data + len): its memory was detached or
  // shrunk after the write, and may be gone.
  virtual bool Holds(void* pin, const char* data, uint32_t len) = 0;
  virtual void Unpin(void* pin) = 0;

 protected:
  ~MemoryHost() = default;
};

// What a Reactor needs besides memory: a way to hand its batch to JS.
class ReactorHost : public MemoryHost {
 public:
  // Hands JS the first `count` records of the event array given to Reactor::Create; JS has read
  // them when this returns. An exception thrown meanwhile is the host's to report.
  virtual void Deliver(uint32_t count) = 0;
  // Bracket each pump and timer sweep: whatever the host makes for JS meanwhile (handles) may go
  // at Leave.
  virtual void Enter() = 0;
  virtual void Leave() = 0;

 protected:
  ~ReactorHost() = default;
};

}  // namespace ringpoll
