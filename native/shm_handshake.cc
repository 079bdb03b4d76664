#include "shm_handshake.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "reactor.h"
#include "shm_region.h"

namespace ringpoll {

namespace {

constexpr int kMaxFds = 8;  // SCM_RIGHTS room: more than the one expected, to see and close extras

// Bytes waiting on the socket, peeked (up to n); 0 at the peer's close; -errno.
ssize_t Peek(int fd, void* buf, size_t n) {
  ssize_t got;
  do {
    got = recv(fd, buf, n, MSG_PEEK | MSG_DONTWAIT);
  } while (got < 0 && errno == EINTR);
  return got < 0 ? -errno : got;
}

}  // namespace

bool SendAnswer(int fd, bool accepted) {
  shm::Answer a{};
  memcpy(a.magic, shm::kMagic, sizeof a.magic);
  a.version = shm::kVersion;
  a.accepted = accepted ? 1 : 0;
  ssize_t n;
  do {
    n = send(fd, &a, sizeof a, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof a);
}

ShmHandshake* ShmHandshake::ForConnector(Reactor* r, uv_loop_t* loop, Conn* c) {
  ShmHandshake* h = new ShmHandshake(r, c->fd);
  h->conn_ = c;
  h->peer_ = c->peer;
  uv_poll_init_socket(loop, &h->poll_, c->fd);
  h->poll_.data = h;
  h->Watch(UV_WRITABLE);
  return h;
}

ShmHandshake* ShmHandshake::ForAcceptor(Reactor* r, uv_loop_t* loop, Listener* l, int fd, const SocketAddress& peer,
                                        uint64_t now) {
  ShmHandshake* h = new ShmHandshake(r, fd);
  h->listener_ = l;
  h->peer_ = peer;
  h->deadline_ = now + kWaitMs;
  uv_poll_init_socket(loop, &h->poll_, fd);
  h->poll_.data = h;
  h->Watch(UV_READABLE);
  return h;
}

void ShmHandshake::Watch(int events) {
  uv_poll_start(&poll_, events, OnPoll);
  // The connection (connecting) or the listener holds the loop; the handshake's poll does not.
  uv_unref(reinterpret_cast<uv_handle_t*>(&poll_));
}

void ShmHandshake::Close(void (*closed)(Reactor*)) {
  closed_ = closed;
  UnmapRegion(region_);
  region_ = ShmRegion{};
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), [](uv_handle_t* handle) {
    ShmHandshake* h = static_cast<ShmHandshake*>(handle->data);
    Reactor* r = h->reactor_;
    void (*done)(Reactor*) = h->closed_;
    delete h;
    if (done != nullptr) done(r);
  });
}

ShmRegion ShmHandshake::TakeRegion() {
  const ShmRegion r = region_;
  region_ = ShmRegion{};
  return r;
}

void ShmHandshake::OnPoll(uv_poll_t* handle, int status, int) {
  ShmHandshake* h = static_cast<ShmHandshake*>(handle->data);
  if (h->outcome_ != Outcome::kWaiting) return;
  if (status < 0) {
    h->Finish(Outcome::kFailed, -status);
    return;
  }
  h->Step();
}

void ShmHandshake::Tick(uint64_t now) {
  if (outcome_ != Outcome::kWaiting) return;
  if (retry_) Step();
  if (outcome_ != Outcome::kWaiting || connector() || now < deadline_) return;
  // The wait is over: nothing, or a prefix of the magic only, is a plain client; a Hello begun
  // and not finished is a broken one.
  unsigned char buf[sizeof(shm::kMagic)];
  const ssize_t n = Peek(fd_, buf, sizeof buf);
  Finish(n == static_cast<ssize_t>(sizeof buf) ? Outcome::kFailed : Outcome::kPlain, EPROTO);
}

void ShmHandshake::Step() {
  if (connector()) {
    ConnectorStep();
  } else {
    AcceptorStep();
  }
}

void ShmHandshake::Finish(Outcome o, int err) {
  outcome_ = o;
  error_ = o == Outcome::kFailed ? err : 0;
  if (o == Outcome::kFailed && err == EPROTO) refused_ = true;
  uv_poll_stop(&poll_);
  reactor_->HandshakeDone(this);  // closes this handshake
}

// ---- connector ------------------------------------------------------------------------------

void ShmHandshake::ConnectorStep() {
  if (!hello_sent_) {
    const int err = PendingError(fd_);
    if (err != 0) {
      Finish(Outcome::kFailed, err);
      return;
    }
    int memfd = -1;
    if (CreateRegion(shm::kDefaultChunks, shm::kDefaultDescs, &region_, &memfd) != 0) {
      refused_ = true;
      Finish(Outcome::kPlain);  // no offer: the acceptor's wait runs out and it goes on plain
      return;
    }
    const shm::Hello hello = MakeHello(shm::kDefaultChunks, shm::kDefaultDescs);
    iovec iov{const_cast<shm::Hello*>(&hello), sizeof hello};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &memfd, sizeof memfd);
    ssize_t n;
    do {
      n = sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    const int send_err = n < 0 ? errno : EPROTO;
    close(memfd);  // the mapping, and the peer's copy, keep the memory
    if (n != static_cast<ssize_t>(sizeof hello)) {
      Finish(Outcome::kFailed, send_err);
      return;
    }
    hello_sent_ = true;
    Watch(UV_READABLE);
    return;
  }
  shm::Answer a;
  const ssize_t n = Peek(fd_, &a, sizeof a);
  if (n == -EAGAIN || n == -EWOULDBLOCK) return;
  if (n == 0) {
    Finish(Outcome::kFailed, ECONNRESET);
    return;
  }
  if (n < 0) {
    Finish(Outcome::kFailed, static_cast<int>(-n));
    return;
  }
  const size_t magic = std::min<size_t>(static_cast<size_t>(n), sizeof a.magic);
  if (memcmp(a.magic, shm::kMagic, magic) != 0) {
    Finish(Outcome::kFailed, EPROTO);
    return;
  }
  if (n < static_cast<ssize_t>(sizeof a)) {
    uv_poll_stop(&poll_);  // level-triggered: retried from the sweep instead of spinning
    retry_ = true;
    return;
  }
  retry_ = false;
  if (recv(fd_, &a, sizeof a, MSG_DONTWAIT) != static_cast<ssize_t>(sizeof a) || a.version != shm::kVersion ||
      a.accepted > 1) {
    Finish(Outcome::kFailed, EPROTO);
    return;
  }
  if (a.accepted == 0) {
    refused_ = true;
    UnmapRegion(region_);
    region_ = ShmRegion{};
  }
  Finish(a.accepted == 1 ? Outcome::kLane : Outcome::kPlain);
}

// ---- acceptor -------------------------------------------------------------------------------

void ShmHandshake::AcceptorStep() {
  shm::Hello h;
  const ssize_t n = Peek(fd_, &h, sizeof h);
  if (n == -EAGAIN || n == -EWOULDBLOCK) return;
  if (n == 0) {
    Finish(Outcome::kGone);
    return;
  }
  if (n < 0) {
    Finish(Outcome::kFailed, static_cast<int>(-n));
    return;
  }
  const size_t magic = std::min<size_t>(static_cast<size_t>(n), sizeof h.magic);
  if (memcmp(h.magic, shm::kMagic, magic) != 0) {
    Finish(Outcome::kPlain);  // a client without shm: its bytes stay for the backend
    return;
  }
  if (n < static_cast<ssize_t>(sizeof h)) {
    uv_poll_stop(&poll_);
    retry_ = true;
    return;
  }
  retry_ = false;
  ReadHello();
}

// The whole Hello and its fds: exactly one, a sealed memfd of the announced size.
void ShmHandshake::ReadHello() {
  shm::Hello h;
  iovec iov{&h, sizeof h};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  int fds[kMaxFds];
  int count = 0;
  for (cmsghdr* cm = n >= 0 ? CMSG_FIRSTHDR(&msg) : nullptr; cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    const size_t in_msg = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < in_msg; ++i) {
      int fd;
      memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
      if (count < kMaxFds) fds[count++] = fd;
    }
  }
  const bool ok = n == static_cast<ssize_t>(sizeof h) && !(msg.msg_flags & MSG_CTRUNC) && count == 1 && ValidHello(h);
  int mapped = -EPROTO;
  if (ok) mapped = MapOffered(fds[0], h, &region_);
  answer_due_ = ok && (mapped == 0 || mapped != -EPROTO);
  for (int i = 0; i < count; ++i) close(fds[i]);
  if (mapped == 0) {
    Finish(Outcome::kLane);
  } else if (ok && mapped != -EPROTO) {
    refused_ = true;  // a good offer we cannot map (out of memory): answered declined, goes on plain
    Finish(Outcome::kPlain);
  } else {
    Finish(Outcome::kFailed, EPROTO);
  }
}

}  // namespace ringpoll
