#include "uring_backend.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "reactor.h"

namespace ringpoll {

namespace {

constexpr unsigned kDefaultEntries = 1024;  // submission queue; the completion queue is 4x
constexpr unsigned kDefaultBuffers = 256;   // the buffer ring's size: the most receive buffers
// Receive buffers (slab chunks) provided at start: 256 KiB, as much as epoll reads from one
// connection per wake-up and more than a wake-up of 1,000 connections' small requests brings, so
// a request-response server never grows the ring. The kernel cycles through every buffer provided,
// so each one becomes resident; bulk receivers grow the ring (Refill) to what they need.
constexpr unsigned kInitialBuffers = 16;
constexpr uint16_t kBufferGroup = 0;
constexpr uint32_t kShedBudget = 1024;      // backlog connections closed per EMFILE

// user_data = object pointer | kind. Conn and Listener are 8-byte aligned, leaving 3 bits.
enum Kind : uintptr_t { kReceive = 0, kSend = 1, kPoll = 2, kAccept = 3, kIgnored = 4 };
constexpr uintptr_t kKindMask = 7;
static_assert(alignof(Conn) >= 8 && alignof(Listener) >= 8, "user_data keeps the kind in 3 low bits");

// ConnRecord::ops bits.
enum : uint8_t {
  kReceiving = 1,     // the multishot receive is armed
  kStopping = 2,      // ... and a cancel for it is on its way
  kSending = 4,       // a sendmsg is in flight
  kPolling = 8,       // a poll is armed (connect, or a hang-up while not reading)
  kStarved = 16,      // the receive ended for want of buffers; re-armed after a refill
};

uintptr_t Tag(const void* p, Kind kind) { return reinterpret_cast<uintptr_t>(p) | kind; }

// Sizes for tests and tuning: RINGPOLL_URING_ENTRIES (the submission queue) and
// RINGPOLL_URING_BUFFERS (the buffer ring's size: the most buffers it grows to), powers of two up
// to 32768. A size the kernel refuses makes the probe fail, which is how the tests force the
// fallback to epoll; a tiny buffer ring is how they make receives run out of buffers.
unsigned SizeFromEnvironment(const char* name, unsigned fallback) {
  const char* s = getenv(name);
  if (s == nullptr || *s == '\0') return fallback;
  const unsigned long n = strtoul(s, nullptr, 10);
  return n == 0 || n > 65536 ? fallback : static_cast<unsigned>(n);
}

}  // namespace

std::unique_ptr<UringBackend> UringBackend::Create(Reactor* reactor, SlabPool* pool) {
  std::unique_ptr<UringBackend> u(new UringBackend(reactor, pool));
  // Completion work runs when this thread next enters the kernel, never by interrupting JS;
  // IORING_SQ_TASKRUN says when some is waiting.
  const unsigned flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN |
                         IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL;
  const unsigned entries = SizeFromEnvironment("RINGPOLL_URING_ENTRIES", kDefaultEntries);
  const unsigned buffers = SizeFromEnvironment("RINGPOLL_URING_BUFFERS", kDefaultBuffers);
  if (u->ring_.Init(entries, entries * 4, flags) != 0) return nullptr;
  const uint8_t ops[] = {IORING_OP_ACCEPT, IORING_OP_RECV, IORING_OP_SENDMSG, IORING_OP_POLL_ADD,
                         IORING_OP_ASYNC_CANCEL};
  if (!u->ring_.Supports(ops, sizeof ops)) return nullptr;
  // Incremental buffer consumption (Linux 6.12) lets many small receives share one chunk.
  if (u->buffers_.Init(&u->ring_, buffers, kBufferGroup) != 0) return nullptr;
  u->buffer_chunk_.assign(buffers, -1);
  u->buffer_used_.assign(buffers, 0);
  if (!u->Grow(std::min(buffers, kInitialBuffers))) return nullptr;
  u->buffers_.Publish();
  return u;
}

UringBackend::~UringBackend() {
  buffers_.Close();  // the kernel no longer writes into these chunks
  for (int32_t chunk : buffer_chunk_) {
    if (chunk >= 0) pool_->Unref(chunk);
  }
}

uint32_t UringBackend::ReservedChunks() const {
  uint32_t n = 0;
  for (int32_t chunk : buffer_chunk_) {
    if (chunk >= 0 && pool_->refs(chunk) == 1) n++;  // held by the ring alone
  }
  return n;
}

// ---- submissions ----------------------------------------------------------------------------

io_uring_sqe* UringBackend::Prepare(uint8_t opcode, int fd, uintptr_t user_data) {
  io_uring_sqe* sqe = ring_.NextSqe();
  if (sqe == nullptr) return nullptr;
  sqe->opcode = opcode;
  sqe->fd = fd;
  sqe->user_data = user_data;
  reactor_->Schedule();
  return sqe;
}

void UringBackend::Cancel(uintptr_t user_data) {
  io_uring_sqe* sqe = Prepare(IORING_OP_ASYNC_CANCEL, -1, kIgnored);
  if (sqe == nullptr) return;  // the operation ends with its fd's last reference instead
  sqe->addr = user_data;
  sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
}

void UringBackend::ArmAccept(Listener* l) {
  io_uring_sqe* sqe = Prepare(IORING_OP_ACCEPT, l->fd, Tag(l, kAccept));
  if (sqe == nullptr) {
    reactor_->AcceptFailed(l);
    return;
  }
  sqe->ioprio = IORING_ACCEPT_MULTISHOT;
  sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  accepting_.insert(l);
}

bool UringBackend::ArmReceive(Conn* c) {
  io_uring_sqe* sqe = Prepare(IORING_OP_RECV, c->fd, Tag(c, kReceive));
  if (sqe == nullptr) return false;
  sqe->ioprio = IORING_RECV_MULTISHOT;
  sqe->flags = IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufferGroup;
  Record(c).ops |= kReceiving;
  return true;
}

bool UringBackend::ArmPoll(Conn* c, uint32_t events) {
  io_uring_sqe* sqe = Prepare(IORING_OP_POLL_ADD, c->fd, Tag(c, kPoll));
  if (sqe == nullptr) return false;
  sqe->poll32_events = events;
  Record(c).ops |= kPolling;
  return true;
}

void UringBackend::Submit() {
  if (!Queued() && !ring_.WorkPending()) return;
  ring_.Submit(ring_.WorkPending());
  reactor_->stats().submits++;
  Poll();  // sends to sockets with room complete inside the submit
}

// ---- listeners ------------------------------------------------------------------------------

int UringBackend::AddListener(Listener* l) {
  ArmAccept(l);
  return 0;
}

void UringBackend::ResumeListener(Listener* l) {
  if (!Busy(l)) ArmAccept(l);
}

void UringBackend::RemoveListener(Listener* l) {
  if (Busy(l)) Cancel(Tag(l, kAccept));
  SubmitBeforeClose();
}

// An entry still queued names its fd by number: were the fd closed (and the number reused by a
// new socket) before the kernel took the entry, it would act on the wrong socket.
void UringBackend::SubmitBeforeClose() {
  if (!Queued()) return;
  ring_.Submit(false);
  reactor_->stats().submits++;
}

void UringBackend::Accepted(Listener* l, int res, uint32_t flags) {
  const bool more = flags & IORING_CQE_F_MORE;
  if (!more) accepting_.erase(l);
  if (l->fd < 0) {  // closed: a connection accepted meanwhile is refused
    if (res >= 0) close(res);
    if (!Busy(l)) reactor_->ListenerDone(l);
    return;
  }
  if (res >= 0) {
    SocketAddress peer;
    PeerAddress(res, &peer);
    reactor_->Accepted(l, res, peer);
  } else if (res == -EMFILE || res == -ENFILE || res == -ENOBUFS || res == -ENOMEM) {
    if (more) Cancel(Tag(l, kAccept));
    // Out of descriptors: close what waits in the backlog rather than leave it hanging, and go on
    // accepting; failing that, pause and let the timer call ResumeListener.
    if ((res == -EMFILE || res == -ENFILE) && ShedBacklog(l->fd, kShedBudget) >= 0) {
      if (!more) ArmAccept(l);
    } else {
      reactor_->AcceptFailed(l);
    }
    return;
  }
  if (!more && !l->paused) ArmAccept(l);
}

// ---- connections ----------------------------------------------------------------------------

int UringBackend::AddConn(Conn* c) {
  if (c->slot >= conns_.size()) conns_.resize(c->slot + 1);
  Record(c) = ConnRecord{};
  // Connecting: a poll for writability says when connect() is done. Open: receive at once.
  if (c->life.connecting()) return ArmPoll(c, POLLOUT) ? 0 : -ENOMEM;
  return ArmReceive(c) ? 0 : -ENOMEM;
}

// Reading wanted (or draining to the end after a hang-up): a receive armed, and no hang-up poll.
// Not wanted: no receive, but a poll that reports the peer's FIN or RST, as epoll's EPOLLRDHUP
// does for a paused connection.
void UringBackend::Update(Conn* c) {
  if (!c->life.open()) return;
  ConnRecord& r = Record(c);
  uint8_t& ops = r.ops;
  bool armed = true;
  if (c->Reading() || (r.draining && !c->life.peer_ended())) {
    if (!(ops & (kReceiving | kStarved))) armed = ArmReceive(c);
    if (ops & kPolling) Cancel(Tag(c, kPoll));
  } else {
    if ((ops & kReceiving) && !(ops & kStopping) && !r.draining) {
      Cancel(Tag(c, kReceive));
      ops |= kStopping;
    }
    if (!c->life.peer_ended() && !(ops & (kReceiving | kPolling))) armed = ArmPoll(c, POLLRDHUP);
  }
  if (!armed) reactor_->Failed(c, ENOMEM);  // the kernel took no more entries
}

// False (and the connection closed with EFAULT) when a buffer linked for output was detached
// after write(): its memory is never sent. (A detach while the kernel sends is not caught.)
bool UringBackend::LinksIntact(Conn* c) {
  if (c->out.HeadLinksIntact(IOV_MAX)) return true;
  reactor_->SendFailed(c, EFAULT);
  return false;
}

void UringBackend::Send(Conn* c) {
  if ((Record(c).ops & kSending) || c->out.empty() || !LinksIntact(c)) return;
  UringSend* s;
  if (free_sends_.empty()) {
    sends_.push_back(std::make_unique<UringSend>());
    s = sends_.back().get();
  } else {
    s = free_sends_.back();
    free_sends_.pop_back();
  }
  s->iov.resize(std::min<size_t>(c->out.segments(), IOV_MAX));
  s->msg = msghdr{};
  s->msg.msg_iov = s->iov.data();
  s->msg.msg_iovlen = static_cast<size_t>(c->out.FillIovecs(s->iov.data(), static_cast<int>(s->iov.size())));
  io_uring_sqe* sqe = Prepare(IORING_OP_SENDMSG, c->fd, Tag(c, kSend));
  if (sqe == nullptr) {
    free_sends_.push_back(s);
    reactor_->SendFailed(c, ENOMEM);
    return;
  }
  sqe->addr = reinterpret_cast<uintptr_t>(&s->msg);
  sqe->msg_flags = MSG_NOSIGNAL;
  ConnRecord& r = Record(c);
  r.send = s;
  r.ops |= kSending;
  reactor_->stats().write_calls++;
}

// close() is coming: one non-blocking write of what is queued, unless a send is already in
// flight (the bytes behind it must not overtake it).
void UringBackend::SendNow(Conn* c) {
  if ((Record(c).ops & kSending) || c->out.empty() || !LinksIntact(c)) return;
  struct iovec iov[IOV_MAX];
  const int count = c->out.FillIovecs(iov, IOV_MAX);
  const ssize_t n = writev(c->fd, iov, count);
  reactor_->stats().write_calls++;
  if (n > 0) reactor_->Sent(c, static_cast<size_t>(n));
}

void UringBackend::RemoveConn(Conn* c) {
  const uint8_t ops = Record(c).ops;
  if ((ops & kReceiving) && !(ops & kStopping)) Cancel(Tag(c, kReceive));
  if (ops & kSending) Cancel(Tag(c, kSend));
  if (ops & kPolling) Cancel(Tag(c, kPoll));
  SubmitBeforeClose();
}

void UringBackend::Settle(Conn* c) {
  if (c->life.closed() && Record(c).ops == 0) reactor_->ConnDone(c);
}

// ---- completions ----------------------------------------------------------------------------

void UringBackend::Poll() {
  // Completion work the kernel left for this thread (IORING_SQ_TASKRUN) runs on entering it.
  if (ring_.WorkPending()) {
    ring_.Submit(true);
    reactor_->stats().submits++;
  }
  ring_.Reap([this](const io_uring_cqe& cqe) { Complete(cqe); });
  Refill();
}

void UringBackend::Complete(const io_uring_cqe& cqe) {
  const uintptr_t kind = cqe.user_data & kKindMask;
  void* object = reinterpret_cast<void*>(cqe.user_data & ~kKindMask);
  switch (kind) {
    case kReceive:
      Received(static_cast<Conn*>(object), cqe.res, cqe.flags);
      break;
    case kSend:
      Sent(static_cast<Conn*>(object), cqe.res);
      break;
    case kPoll:
      Polled(static_cast<Conn*>(object), cqe.res);
      break;
    case kAccept:
      Accepted(static_cast<Listener*>(object), cqe.res, cqe.flags);
      break;
    default:  // a cancel that found nothing left to cancel
      break;
  }
}

void UringBackend::Received(Conn* c, int res, uint32_t flags) {
  if (!(flags & IORING_CQE_F_MORE)) Record(c).ops &= ~(kReceiving | kStopping);
  const bool open = c->life.open();
  if (res > 0 && (flags & IORING_CQE_F_BUFFER)) {
    // The bytes follow the ones the kernel put in this buffer before (incremental consumption).
    const uint16_t id = static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
    const int32_t chunk = buffer_chunk_[id];
    const uint32_t offset = buffer_used_[id];
    buffer_used_[id] += static_cast<uint32_t>(res);
    if (open) {
      reactor_->Received(c, chunk, pool_->Data(chunk) + offset, static_cast<uint32_t>(res));
      reactor_->stats().read_calls++;
    }
    if (!(flags & IORING_CQE_F_BUF_MORE)) {
      pool_->Unref(chunk);
      buffer_chunk_[id] = -1;
      used_up_.push_back(id);
    }
  } else if (open && res == 0) {
    reactor_->PeerEnded(c);
  } else if (open && res == -ENOBUFS) {
    Record(c).ops |= kStarved;
    starved_.push_back(c);
  } else if (open && res < 0 && res != -ECANCELED) {
    reactor_->Failed(c, -res);
  }
  if (c->life.open()) {
    Update(c);  // stop at the input limit; re-arm a receive that ended
  } else {
    Settle(c);
  }
}

void UringBackend::Sent(Conn* c, int res) {
  ConnRecord& r = Record(c);
  r.ops &= ~kSending;
  free_sends_.push_back(r.send);
  r.send = nullptr;
  if (!c->life.open()) {
    Settle(c);
    return;
  }
  if (res >= 0) {
    reactor_->Sent(c, static_cast<size_t>(res));
  } else if (res != -EAGAIN && res != -EINTR) {
    reactor_->SendFailed(c, -res);
    return;
  }
  reactor_->FlushConn(c);  // the rest of a short send, or what was queued meanwhile
}

void UringBackend::Polled(Conn* c, int res) {
  Record(c).ops &= ~kPolling;
  if (c->life.connecting()) {
    const int err = res < 0 ? -res : PendingError(c->fd);
    if (err != 0) {
      reactor_->Failed(c, err);
    } else {
      reactor_->Connected(c);
    }
  } else if (c->life.open()) {
    // The peer hung up while the connection was not reading: receive to the end now, whatever the
    // pause or the input limit, so that the bytes before the FIN come first and a reset is
    // reported as one.
    if (res > 0) Record(c).draining = true;
    Update(c);
  }
  Settle(c);
}

// ---- the buffer ring ------------------------------------------------------------------------

bool UringBackend::Provide(uint16_t id) {
  const int32_t chunk = pool_->Alloc();
  if (chunk < 0) return false;
  buffer_chunk_[id] = chunk;
  buffer_used_[id] = 0;
  buffers_.Add(pool_->Data(chunk), kChunkSize, id);
  return true;
}

bool UringBackend::Grow(uint32_t count) {
  for (; provided_ < count; ++provided_) {
    if (!Provide(static_cast<uint16_t>(provided_))) return false;
  }
  return true;
}

void UringBackend::Refill() {
  if (used_up_.empty() && starved_.empty()) return;
  bool refused = false;
  while (!used_up_.empty() && !refused) {
    refused = !Provide(used_up_.back());
    if (!refused) used_up_.pop_back();
  }
  // A receive ran out of buffers: more arrived between two refills than the ring held, so it
  // doubles (up to its size) before the starved receives are armed again.
  if (!starved_.empty() && !refused) refused = !Grow(std::min<uint32_t>(2 * provided_, buffers_.entries()));
  buffers_.Publish();
  std::vector<Conn*> starved;
  starved.swap(starved_);
  for (Conn* c : starved) {
    Record(c).ops &= ~kStarved;
    // Out of memory with no buffer left to give: those connections cannot read again.
    if (c->life.open() && refused && used_up_.size() == provided_) {
      reactor_->Failed(c, ENOMEM);
    }
    if (c->life.open()) {
      Update(c);
    } else {
      Settle(c);
    }
  }
}

}  // namespace ringpoll
