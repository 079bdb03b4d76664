// The epoll backend: one level-triggered epoll instance whose fd Node's loop watches. Readiness
// is turned into read() calls (Reactor::ReadSync) and write/writev calls on the connection's
// output chain, IOV_MAX segments per call.
#pragma once

#include <sys/epoll.h>

#include <cstdint>

#include "io_backend.h"

namespace ringpoll {

class Reactor;

class EpollBackend final : public IoBackend {
 public:
  static constexpr int kMaxEvents = 1024;

  explicit EpollBackend(Reactor* reactor);
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
  void RemoveConn(Conn* c) override;
  void Poll() override;
  void Submit() override {}

 private:
  void Accept(Listener* l);
  void HandleConn(Conn* c, uint32_t events);

  Reactor* reactor_;
  int fd_;
  epoll_event events_[kMaxEvents];
};

}  // namespace ringpoll
