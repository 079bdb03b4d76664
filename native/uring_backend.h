// The io_uring backend. Listeners use one multishot accept each; connections one multishot
// receive that takes its buffers from a ring of slab chunks (so bytes land where the LinkBuffer
// and JS look, without a copy, and an idle connection holds no buffer); output goes out as one
// sendmsg per connection per batch; and every batch reaches the kernel in one io_uring_enter.
// Node's loop watches the ring's fd, which is readable while completions wait.
//
// Each operation's user_data is the Conn* or Listener* it belongs to, tagged with its kind in the
// low bits. An object stays allocated while an operation of its is in flight (Busy). What the
// backend knows of each connection (its operations in flight, its send) is its own, in a record
// per slot; a closed connection keeps its slot until its last operation has finished.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include "connection.h"
#include "io_backend.h"
#include "io_uring.h"

namespace ringpoll {

class Reactor;
class SlabPool;

// A sendmsg in flight: the kernel reads the header and the vector until it completes.
struct UringSend {
  msghdr msg;
  std::vector<iovec> iov;
};

class UringBackend final : public IoBackend {
 public:
  // nullptr when this kernel (or its policy) refuses anything the backend needs.
  static std::unique_ptr<UringBackend> Create(Reactor* reactor, SlabPool* pool);
  ~UringBackend() override;

  const char* name() const override { return "io_uring"; }
  int fd() const override { return ring_.fd(); }
  int AddListener(Listener* l) override;
  void ResumeListener(Listener* l) override;
  void RemoveListener(Listener* l) override;
  int AddConn(Conn* c) override;
  void Update(Conn* c) override;
  void Send(Conn* c) override;
  void SendNow(Conn* c) override;
  void RemoveConn(Conn* c) override;
  bool Busy(const Conn* c) const override { return conns_[c->slot].ops != 0; }
  // The only operation of a listener is its multishot accept.
  bool Busy(const Listener* l) const override { return accepting_.count(l) != 0; }
  void Poll() override;
  void Submit() override;
  bool Queued() const override { return ring_.Queued() != 0; }
  uint32_t ReservedChunks() const override;
  uint32_t ProvidedBuffers() const override { return provided_; }

 private:
  UringBackend(Reactor* reactor, SlabPool* pool) : reactor_(reactor), pool_(pool) {}

  struct ConnRecord {
    uint8_t ops = 0;            // operations in flight (the k* bits)
    UringSend* send = nullptr;  // the send in flight, if any
    bool draining = false;      // the peer hung up while not reading: receive to the end regardless
  };
  ConnRecord& Record(const Conn* c) { return conns_[c->slot]; }

  io_uring_sqe* Prepare(uint8_t opcode, int fd, uintptr_t user_data);
  void Cancel(uintptr_t user_data);
  void SubmitBeforeClose();
  void ArmAccept(Listener* l);
  // False when the kernel takes no more entries (out of memory).
  bool ArmReceive(Conn* c);
  bool ArmPoll(Conn* c, uint32_t events);

  bool LinksIntact(Conn* c);
  void Complete(const io_uring_cqe& cqe);
  void Accepted(Listener* l, int res, uint32_t flags);
  void Received(Conn* c, int res, uint32_t flags);
  void Sent(Conn* c, int res);
  void Polled(Conn* c, int res);
  // The connection's last operation has finished: a closed one may be freed now.
  void Settle(Conn* c);

  // Buffer ring upkeep: give buffer `id` a fresh chunk; provide ids up to `count` (false when the
  // pool runs out first: the ring keeps those it got); refill the used-up ones after a reap, and
  // grow the ring when a receive ran out of buffers.
  bool Provide(uint16_t id);
  bool Grow(uint32_t count);
  void Refill();

  Reactor* reactor_;
  SlabPool* pool_;
  IoUring ring_;
  BufferRing buffers_;                // destroyed (unregistered) before the ring
  uint32_t provided_ = 0;             // buffer ids [0, provided_) in use; the rest not yet given
  std::vector<int32_t> buffer_chunk_; // by buffer id: the chunk given to the kernel, or -1
  std::vector<uint32_t> buffer_used_; // by buffer id: bytes the kernel has filled so far
  std::vector<uint16_t> used_up_;     // buffer ids to give fresh chunks to
  std::vector<ConnRecord> conns_;     // by slot
  std::unordered_set<const Listener*> accepting_;  // listeners whose multishot accept is armed
  std::vector<Conn*> starved_;        // receives that ended for want of buffers
  std::vector<std::unique_ptr<UringSend>> sends_;  // every UringSend made; free ones below
  std::vector<UringSend*> free_sends_;
};

}  // namespace ringpoll
