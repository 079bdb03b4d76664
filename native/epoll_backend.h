// The epoll backend: one level-triggered epoll instance whose fd Node's loop watches. Readiness
// is turned into read() calls, into one chunk that the backend fills for every connection in turn
// (as io_uring's buffer ring does, so an idle connection holds no buffer), and write/writev calls
// on the connection's output chain, IOV_MAX segments per call. What it knows of each connection (the interest registered, whether the
// kernel pushed back on output) is its own, in a record per slot.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <vector>

#include "connection.h"
#include "io_backend.h"

namespace ringpoll {

class Reactor;
class SlabPool;

class EpollBackend final : public IoBackend {
 public:
  static constexpr int kMaxEvents = 1024;

  EpollBackend(Reactor* reactor, SlabPool* pool);
  ~EpollBackend() override;

  const char* name() const override { return "epoll"; }
  int fd() const override { return fd_; }  // -errno when epoll_create1 failed
  int AddListener(Listener* l) override;
  void ResumeListener(Listener* l) override;
  void RemoveListener(Listener* l) override;
  int AddConn(Conn* c) override;
  void Update(Conn* c) override;
  void Send(Conn* c) override;
  void SendNow(Conn* c) override { Send(c); }
  void RetryOutput(Conn* c) override;
  void RemoveConn(Conn* c) override;
  void Poll() override;
  void Submit() override {}
  uint32_t ReservedChunks() const override;

 private:
  // What the backend keeps per connection, by slot.
  struct ConnRecord {
    uint32_t events = 0;      // the interest registered now
    bool want_write = false;  // the kernel refused output; wait for EPOLLOUT
  };
  ConnRecord& Record(const Conn* c) { return conns_[c->slot]; }
  uint32_t DesiredEvents(const Conn* c);

  void Accept(Listener* l);
  void HandleConn(Conn* c, uint32_t events);
  // Reads until the socket is drained, the per-wake-up budget is spent, or (unless reading to the
  // end after a hang-up) the connection stops reading.
  void Read(Conn* c, bool to_eof);

  Reactor* reactor_;
  SlabPool* pool_;
  int fd_;
  int32_t read_chunk_ = -1;   // the chunk reads go into (the backend holds one reference), or -1
  uint32_t read_used_ = 0;    // bytes of it filled so far
  std::vector<ConnRecord> conns_;
  epoll_event events_[kMaxEvents];
};

}  // namespace ringpoll
