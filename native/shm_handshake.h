// A shm lane's negotiation (shm_layout.h's Hello and Answer) on a Unix socket, before either
// backend touches the socket: a uv_poll_t of its own watches the fd (libuv's epoll, not the
// reactor's backends, so neither backend changes and neither reads a byte of the handshake).
//
// Connector: the connection exists (JS has its id) in the connecting phase on the PendingBackend
// below. Once the socket is writable (connected) it creates the region, sends the Hello with the
// memfd, and reads exactly the Answer, leaving whatever follows for the backend.
// Acceptor: nothing is reported to JS yet. It peeks at the client's first bytes: the magic and a
// whole Hello -> the Hello is read with its fd and checked, the region mapped; other bytes -> a
// plain connection (the bytes stay for the backend); a prefix of the magic -> wait; nothing
// within kWaitMs (a client that waits for the server to speak first) -> plain.
// Either way the outcome goes to Reactor::HandshakeDone, which starts the connection on its real
// backend (the acceptor's Answer is sent there, once the lane exists).
#pragma once

#include <uv.h>

#include <cstdint>

#include "connection.h"
#include "io_backend.h"
#include "shm_lane.h"

namespace ringpoll {

class Reactor;
struct Listener;

// Where a connection lives while its handshake runs: no I/O, nothing in flight.
class PendingBackend final : public IoBackend {
 public:
  const char* name() const override { return "pending"; }
  int fd() const override { return -1; }
  int AddListener(Listener*) override { return -EINVAL; }
  void ResumeListener(Listener*) override {}
  void RemoveListener(Listener*) override {}
  int AddConn(Conn*) override { return 0; }
  void Update(Conn*) override {}
  void Send(Conn*) override {}
  void SendNow(Conn*) override {}
  void RemoveConn(Conn*) override {}
  void Poll() override {}
  void Submit() override {}
};

class ShmHandshake {
 public:
  // The acceptor waits this long for a client's first bytes before it takes it for a plain one.
  static constexpr uint32_t kWaitMs = 200;

  enum class Outcome : uint8_t {
    kWaiting,
    kLane,    // region() is mapped: connector accepted, or acceptor's offer valid (answer to send)
    kPlain,   // no lane: declined, a plain client, or the region could not be made or mapped
    kFailed,  // error(): a protocol violation (EPROTO) or a socket error; close, report nothing new
    kGone,    // the peer closed during the handshake
  };

  // `c` connects on `fd` (c->fd). The handshake's poll is counted in the reactor's loop handles.
  static ShmHandshake* ForConnector(Reactor* r, uv_loop_t* loop, Conn* c);
  static ShmHandshake* ForAcceptor(Reactor* r, uv_loop_t* loop, Listener* l, int fd, const SocketAddress& peer,
                                   uint64_t now);
  // Stops watching and frees itself once libuv has let go of the poll (then `closed(reactor)`).
  // The fd is not closed (it is the connection's or the caller's); a mapped region not taken is.
  void Close(void (*closed)(Reactor*));

  // The sweep: an acceptor past its wait, or a peek to retry (a partial Hello or Answer).
  void Tick(uint64_t now);

  bool connector() const { return conn_ != nullptr; }
  Conn* conn() const { return conn_; }
  Listener* listener() const { return listener_; }
  int fd() const { return fd_; }
  const SocketAddress& peer() const { return peer_; }
  Outcome outcome() const { return outcome_; }
  int error() const { return error_; }
  // The region (Outcome::kLane); the caller takes it over (Close leaves it mapped after this).
  ShmRegion TakeRegion();
  // Whether this outcome refused or failed a lane (stats' shmRefused).
  bool refused() const { return refused_; }
  // Acceptor: a valid Hello was read, so the client waits for an Answer (kLane or kPlain).
  bool answer_due() const { return answer_due_; }

 private:
  ShmHandshake(Reactor* r, int fd) : reactor_(r), fd_(fd) {}
  static void OnPoll(uv_poll_t* handle, int status, int events);
  void Step();
  void ConnectorStep();
  void AcceptorStep();
  void ReadHello();
  void Finish(Outcome o, int err = 0);
  void Watch(int events);

  Reactor* reactor_;
  int fd_;
  Conn* conn_ = nullptr;          // connector
  Listener* listener_ = nullptr;  // acceptor
  SocketAddress peer_;
  uv_poll_t poll_;
  void (*closed_)(Reactor*) = nullptr;
  ShmRegion region_;
  uint64_t deadline_ = 0;         // acceptor: the end of the wait for first bytes
  bool hello_sent_ = false;
  bool retry_ = false;            // a partial peek: the poll is stopped, Tick peeks again
  bool refused_ = false;
  bool answer_due_ = false;
  Outcome outcome_ = Outcome::kWaiting;
  int error_ = 0;
};

// The acceptor's Answer; false when the socket did not take all of it.
bool SendAnswer(int fd, bool accepted);

}  // namespace ringpoll
