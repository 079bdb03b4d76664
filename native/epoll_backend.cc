#include "epoll_backend.h"

#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>

#include "reactor.h"
#include "slab.h"

namespace ringpoll {

namespace {

constexpr uint32_t kAcceptBudget = 1024;  // accepts per listener per wake-up
constexpr uintptr_t kListenerTag = 1;     // epoll data: a Listener* with this bit, else a Conn*
constexpr uint32_t kUnwatched = UINT32_MAX; // the events of a socket taken out of the epoll set
constexpr size_t kReadBudget = 256 * 1024;  // per connection per wake-up, for fairness

int Control(int epfd, int op, int fd, uint32_t events, uintptr_t data) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(epfd, op, fd, &ev) == 0 ? 0 : -errno;
}

}  // namespace

// The interest a connection's state calls for (level-triggered).
uint32_t EpollBackend::DesiredEvents(const Conn* c) {
  if (c->life.connecting()) return EPOLLOUT;
  if (c->life.closed()) return 0;
  uint32_t ev = 0;
  // After the peer's FIN, EPOLLIN and EPOLLRDHUP stay set for good under level triggering, so
  // both are dropped; EPOLLHUP and EPOLLERR are always reported.
  if (!c->life.peer_ended()) ev |= EPOLLRDHUP;
  if (c->Reading()) ev |= EPOLLIN;
  if (Record(c).want_write) ev |= EPOLLOUT;
  return ev;
}

EpollBackend::EpollBackend(Reactor* reactor, SlabPool* pool)
    : reactor_(reactor), pool_(pool), fd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (fd_ < 0) fd_ = -errno;
}

EpollBackend::~EpollBackend() {
  if (fd_ >= 0) close(fd_);
  if (read_chunk_ >= 0) pool_->Unref(read_chunk_);
}

uint32_t EpollBackend::ReservedChunks() const {
  return read_chunk_ >= 0 && pool_->refs(read_chunk_) == 1 ? 1 : 0;  // held by the backend alone
}

// ---- listeners ------------------------------------------------------------------------------

int EpollBackend::AddListener(Listener* l) {
  return Control(fd_, EPOLL_CTL_ADD, l->fd, EPOLLIN, reinterpret_cast<uintptr_t>(l) | kListenerTag);
}

void EpollBackend::ResumeListener(Listener* l) {
  Control(fd_, EPOLL_CTL_MOD, l->fd, EPOLLIN, reinterpret_cast<uintptr_t>(l) | kListenerTag);
  Accept(l);
}

void EpollBackend::RemoveListener(Listener* l) { epoll_ctl(fd_, EPOLL_CTL_DEL, l->fd, nullptr); }

void EpollBackend::Accept(Listener* l) {
  for (uint32_t i = 0; i < kAcceptBudget; ++i) {
    SocketAddress peer;
    peer.len = sizeof peer.storage;
    const int fd = accept4(l->fd, reinterpret_cast<sockaddr*>(&peer.storage), &peer.len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      reactor_->Accepted(l, fd, peer);
      continue;
    }
    const int err = errno;
    if (err == EINTR || err == ECONNABORTED) continue;
    // Out of descriptors: close what waits in the backlog rather than leave it hanging.
    if ((err == EMFILE || err == ENFILE) && ShedBacklog(l->fd, kAcceptBudget) >= 0) return;
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
      // Out of descriptors: stop watching (level triggering would spin) until the retry.
      Control(fd_, EPOLL_CTL_MOD, l->fd, 0, reinterpret_cast<uintptr_t>(l) | kListenerTag);
      reactor_->AcceptFailed(l);
    }
    return;  // EAGAIN: drained
  }
}

// ---- connections ----------------------------------------------------------------------------

int EpollBackend::AddConn(Conn* c) {
  if (c->slot >= conns_.size()) conns_.resize(c->slot + 1);
  ConnRecord& r = Record(c);
  r = ConnRecord{};
  r.events = DesiredEvents(c);
  return Control(fd_, EPOLL_CTL_ADD, c->fd, r.events, reinterpret_cast<uintptr_t>(c));
}

void EpollBackend::Update(Conn* c) {
  ConnRecord& r = Record(c);
  if (c->life.closed() || r.events == kUnwatched) return;
  const uint32_t want = DesiredEvents(c);
  if (want == r.events) return;
  r.events = want;
  Control(fd_, EPOLL_CTL_MOD, c->fd, want, reinterpret_cast<uintptr_t>(c));
}

// Tries the kernel at the next Send even if it pushed back before (EAGAIN sets it again).
void EpollBackend::RetryOutput(Conn* c) { Record(c).want_write = false; }

void EpollBackend::RemoveConn(Conn* c) { epoll_ctl(fd_, EPOLL_CTL_DEL, c->fd, nullptr); }

// Writes the output chain until it is empty or the kernel pushes back.
void EpollBackend::Send(Conn* c) {
  struct iovec iov[IOV_MAX];
  bool& want_write = Record(c).want_write;
  while (!c->out.empty() && !want_write) {
    if (!c->out.HeadLinksIntact(IOV_MAX)) {
      reactor_->SendFailed(c, EFAULT);  // a buffer detached after write(): never send its memory
      return;
    }
    const int count = c->out.FillIovecs(iov, IOV_MAX);
    size_t requested = 0;
    for (int i = 0; i < count; ++i) requested += iov[i].iov_len;
    // write/writev rather than sendmsg(MSG_NOSIGNAL): cheaper, and Node ignores SIGPIPE.
    const ssize_t n = count == 1 ? write(c->fd, iov[0].iov_base, iov[0].iov_len) : writev(c->fd, iov, count);
    reactor_->stats().write_calls++;
    if (n >= 0) {
      reactor_->Sent(c, static_cast<size_t>(n));
      // A short write means the socket buffer is full: wait for EPOLLOUT rather than try again.
      if (static_cast<size_t>(n) < requested) want_write = true;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      want_write = true;
      break;
    }
    reactor_->SendFailed(c, errno);
    return;
  }
}

void EpollBackend::Read(Conn* c, bool to_eof) {
  size_t budget = kReadBudget;
  while (!c->life.peer_ended() && (to_eof || c->Reading())) {
    if (read_chunk_ < 0 || read_used_ == kChunkSize) {
      if (read_chunk_ >= 0) pool_->Unref(read_chunk_);
      read_chunk_ = pool_->Alloc();
      read_used_ = 0;
      if (read_chunk_ < 0) {
        reactor_->Failed(c, ENOMEM);
        return;
      }
    }
    char* dst = pool_->Data(read_chunk_) + read_used_;
    const uint32_t space = kChunkSize - read_used_;
    const ssize_t n = read(c->fd, dst, space);
    reactor_->stats().read_calls++;
    if (n > 0) {
      read_used_ += static_cast<uint32_t>(n);
      reactor_->Received(c, read_chunk_, dst, static_cast<uint32_t>(n));
      // A read that did not fill its buffer has most likely drained the socket; level triggering
      // reports whatever comes next, so the EAGAIN read is saved.
      if (static_cast<uint32_t>(n) < space && !to_eof) break;
      if (!to_eof && (budget -= std::min(budget, static_cast<size_t>(n))) == 0) break;
      continue;
    }
    if (n == 0) {
      reactor_->PeerEnded(c);
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    reactor_->Failed(c, errno);
    return;
  }
  Update(c);
}

// ---- readiness ------------------------------------------------------------------------------

void EpollBackend::Poll() {
  // A full batch of events may leave more behind; a bounded number of passes drains them. The
  // objects behind the events stay allocated until the batch has been dispatched to JS, so an
  // event for a connection closed earlier in the same pass finds it closed, not freed.
  for (int pass = 0; pass < 4; ++pass) {
    int n;
    do {
      n = epoll_wait(fd_, events_, kMaxEvents, 0);
    } while (n < 0 && errno == EINTR);
    for (int i = 0; i < n; ++i) {
      const uintptr_t data = events_[i].data.u64;
      if (data & kListenerTag) {
        Accept(reinterpret_cast<Listener*>(data & ~kListenerTag));
      } else {
        HandleConn(reinterpret_cast<Conn*>(data), events_[i].events);
      }
    }
    if (n < kMaxEvents) break;
  }
}

void EpollBackend::HandleConn(Conn* c, uint32_t events) {
  if (c->life.closed()) return;
  if (c->life.connecting()) {
    const int err = PendingError(c->fd);
    if (err != 0) {
      reactor_->Failed(c, err);
    } else if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
      reactor_->Connected(c);
    }
    return;
  }
  // Read before acting on a hang-up, so that bytes sent before a FIN are delivered first. A
  // hang-up or an error means reading to the end (or to the error) now.
  const bool hangup = events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
  if ((events & EPOLLIN) || hangup) Read(c, hangup);
  if (c->life.closed()) return;
  if (events & EPOLLERR) {
    const int err = PendingError(c->fd);
    if (err != 0) {
      reactor_->Failed(c, err);
      return;
    }
  }
  // Both directions are shut (our FIN and the peer's, or a reset without an error left). The close
  // waits until JS has handed the input and the end to the application; meanwhile the socket
  // leaves the epoll set, since no mask hides EPOLLHUP and level triggering would report it again.
  if ((events & EPOLLHUP) && c->life.peer_ended()) {
    if (c->life.end_seen()) {
      reactor_->PeerClosed(c);
    } else {
      epoll_ctl(fd_, EPOLL_CTL_DEL, c->fd, nullptr);
      Record(c).events = kUnwatched;
    }
    return;
  }
  if ((events & EPOLLOUT) && Record(c).want_write) {
    Record(c).want_write = false;
    reactor_->FlushConn(c);
  }
}

}  // namespace ringpoll
