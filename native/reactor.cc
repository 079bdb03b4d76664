#include "reactor.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "epoll_backend.h"
#include "shm_lane.h"
#include "shm_region.h"
#include "uring_backend.h"

namespace ringpoll {

namespace {

constexpr int kMaxRounds = 16;              // dispatch/flush rounds per pump before yielding
constexpr uint32_t kListenerRetryMs = 100;  // after EMFILE/ENFILE

uint64_t Token(uint32_t generation, uint32_t slot) {
  return (static_cast<uint64_t>(generation) << 32) | slot;
}

int32_t Clamp32(size_t n) { return n > INT32_MAX ? INT32_MAX : static_cast<int32_t>(n); }

// A lane's deliveries and flush requests, for the connection it serves.
class LaneLink final : public LaneSink {
 public:
  LaneLink(Reactor* r, Conn* c) : reactor_(r), conn_(c) {}
  void LaneInput(int32_t chunk, const char* data, uint32_t len) override { reactor_->LaneInput(conn_, chunk, data, len); }
  void LaneFlushDue() override { reactor_->LaneFlushDue(conn_); }

 private:
  Reactor* reactor_;
  Conn* conn_;
};

}  // namespace

Conn::Conn(SlabPool* pool, uint32_t slot, int fd, const ConnOptions& opts, bool connecting)
    : slot(slot), fd(fd), life(connecting), opts(opts), in(pool), out(pool) {}

Conn::~Conn() = default;

size_t Conn::OutputLength() const { return out.length() + (lane ? lane->output_length() : 0); }

Reactor::Reactor(ReactorHost* host, uv_loop_t* loop, Event* events)
    : host_(host), loop_(loop), pool_(host), events_(events) {}

Reactor* Reactor::Create(ReactorHost* host, uv_loop_t* loop, Event* events, BackendChoice preferred,
                         const char** failure) {
  Reactor* r = new Reactor(host, loop, events);
  // 'auto' is io_uring wherever the kernel allows it (Backend() falls back to epoll otherwise).
  r->preferred_ = preferred == BackendChoice::kAuto ? BackendChoice::kIoUring : preferred;
  *failure = nullptr;
  auto epoll = std::make_unique<EpollBackend>(r, &r->pool_);
  if (epoll->fd() < 0) *failure = "epoll_create1 failed";
  r->epoll_ = std::move(epoll);
  if (!*failure && !r->Watch(r->epoll_.get(), &r->epoll_handle_)) *failure = "uv_poll_init";
  if (!*failure) {
    r->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (r->wake_fd_ < 0 || uv_poll_init(r->loop_, &r->wake_handle_, r->wake_fd_) != 0) {
      *failure = "eventfd";
    } else {
      r->open_handles_++;
      r->wake_handle_.data = r;
      uv_poll_start(&r->wake_handle_, UV_READABLE, OnWake);
      uv_unref(reinterpret_cast<uv_handle_t*>(&r->wake_handle_));  // the connections hold the loop
    }
  }
  if (*failure) {
    delete r;
    return nullptr;
  }
  ReserveSpareFd();  // for ShedBacklog, opened now so that it is there when descriptors run out

  uv_prepare_init(r->loop_, &r->prepare_handle_);
  uv_idle_init(r->loop_, &r->idle_handle_);
  uv_timer_init(r->loop_, &r->timer_handle_);
  r->open_handles_ += 3;
  r->prepare_handle_.data = r->idle_handle_.data = r->timer_handle_.data = r;
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->prepare_handle_));
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->idle_handle_));
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->timer_handle_));
  r->loop_ref_ = true;
  r->UpdateLoopRef();
  return r;
}

Reactor::~Reactor() {
  // The backends go first: after that the kernel no longer writes into any of this memory.
  uring_.reset();
  epoll_.reset();
  for (Conn* c : conns_) {
    if (c == nullptr) continue;
    if (c->fd >= 0) close(c->fd);
    delete c;
  }
  for (Conn* c : orphans_) delete c;
  for (Listener* l : listeners_) {
    if (l == nullptr) continue;
    close(l->fd);  // still open: closing a listener removes it from listeners_
    if (!l->path.empty()) unlink(l->path.c_str());
    delete l;
  }
  for (Listener* l : closed_listeners_) delete l;
  if (wake_fd_ >= 0) close(wake_fd_);
}

// Closes the loop handles; `closed(arg)` runs once libuv has let go of all of them, after which
// the reactor may be deleted.
void Reactor::Close(void (*closed)(void*), void* arg) {
  closed_ = closed;
  closed_arg_ = arg;
  auto handle_closed = [](uv_handle_t* h) {
    Reactor* r = static_cast<Reactor*>(h->data);
    if (--r->open_handles_ == 0) r->closed_(r->closed_arg_);
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&epoll_handle_), handle_closed);
  if (uring_) uv_close(reinterpret_cast<uv_handle_t*>(&uring_handle_), handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&prepare_handle_), handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_handle_), handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_handle_), handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_handle_), handle_closed);
  for (ShmHandshake* h : handshakes_) {
    const int fd = h->connector() ? -1 : h->fd();  // a connector's fd is its connection's
    open_handles_++;
    h->Close(HandshakeClosed);  // its poll stops before the fd closes
    if (fd >= 0) close(fd);
  }
  handshakes_.clear();
}

void Reactor::HandshakeClosed(Reactor* r) {
  if (--r->open_handles_ == 0) r->closed_(r->closed_arg_);
}

// ---- backends -------------------------------------------------------------------------------

IoBackend* Reactor::Backend(BackendChoice choice) {
  if (choice == BackendChoice::kAuto) choice = preferred_;
  if (choice == BackendChoice::kIoUring && !uring_refused_) {
    if (!uring_) {
      std::unique_ptr<UringBackend> uring = UringBackend::Create(this, &pool_);
      if (uring && Watch(uring.get(), &uring_handle_)) {
        uring_ = std::move(uring);
      } else {
        uring_refused_ = true;  // probed once per thread; epoll from now on
      }
    }
    if (uring_) return uring_.get();
  }
  return epoll_.get();
}

bool Reactor::Watch(IoBackend* io, uv_poll_t* handle) {
  if (uv_poll_init(loop_, handle, io->fd()) != 0) return false;
  open_handles_++;
  handle->data = this;
  uv_poll_start(handle, UV_READABLE, OnPoll);
  if (!loop_ref_) uv_unref(reinterpret_cast<uv_handle_t*>(handle));
  return true;
}

uint32_t Reactor::chunks_reserved() const {
  return epoll_->ReservedChunks() + (uring_ ? uring_->ReservedChunks() : 0);
}

// ---- the loop -------------------------------------------------------------------------------

void Reactor::OnPoll(uv_poll_t* handle, int, int) {
  Reactor* r = static_cast<Reactor*>(handle->data);
  r->Pump(handle == &r->uring_handle_ ? r->uring_.get() : r->epoll_.get());
}

void Reactor::OnPrepare(uv_prepare_t* handle) {
  Reactor* r = static_cast<Reactor*>(handle->data);
  uv_prepare_stop(handle);
  uv_unref(reinterpret_cast<uv_handle_t*>(handle));
  r->prepare_active_ = false;
  r->Pump(nullptr);
}

void Reactor::OnIdle(uv_idle_t* handle) {
  Reactor* r = static_cast<Reactor*>(handle->data);
  uv_idle_stop(handle);
  uv_unref(reinterpret_cast<uv_handle_t*>(handle));
  r->idle_active_ = false;
  r->Pump(nullptr);
}

void Reactor::Pump(IoBackend* woke) {
  if (pumping_) return;
  pumping_ = true;
  pump_seq_++;
  host_->Enter();
  if (woke != nullptr) {
    stats_.wakeups++;
    woke->Poll();
  }
  for (int round = 0; round < kMaxRounds; ++round) {
    EmitFreedSlabs();
    if (!pending_.empty()) Dispatch();
    FlushAndSubmit();
    if (Idle()) break;
  }
  host_->Leave();
  pumping_ = false;
  // The pool has grown past its floor: the timer's sweeps give idle slabs back.
  if (pool_.slabs() > kSlabFloor && tick_ms_ == 0) UpdateTimer(kSlabIdleMs);
  // Out of rounds with work left (io_uring completions can keep a pump going): yield to the loop
  // for one turn, without letting it block. A prepare started here would run only after the
  // loop's next wait, which may be long.
  if (!Idle() && !idle_active_) {
    idle_active_ = true;
    uv_idle_start(&idle_handle_, OnIdle);
    uv_ref(reinterpret_cast<uv_handle_t*>(&idle_handle_));
  }
  UpdateLoopRef();
}

// Hands every pending record to JS in parts of about kPartRecords, through MakeCallback so that
// process.nextTick and promise jobs run after each part as after any libuv callback. The output of
// each part goes out before the next part is handed over: with a slow app, a wake-up's whole
// batch (thousands of pipelined requests) is long work, and the first connections' answers would
// otherwise wait for the last connections' handlers.
void Reactor::Dispatch() {
  std::vector<Event>& batch = dispatching_;  // records added meanwhile go to pending_, after these
  batch.swap(pending_);
  for (size_t start = 0, count = 0; start < batch.size(); start += count) {
    // Never split one connection's reads across two calls: JS calls onData after the last of them.
    // A part ends after the run of reads it is in (a bulk reader's run can be long), and only
    // when that run would pass the shared array does it end before the run instead.
    const size_t limit = std::min<size_t>(kMaxBatch, batch.size() - start);
    count = std::min<size_t>(kPartRecords, limit);
    while (count < limit && batch[start + count].type == kEventData && batch[start + count - 1].type == kEventData &&
           batch[start + count].id == batch[start + count - 1].id) {
      ++count;
    }
    while (start + count < batch.size() && count > 1 && batch[start + count].type == kEventData &&
           batch[start + count - 1].type == kEventData && batch[start + count].id == batch[start + count - 1].id) {
      --count;
    }
    std::copy_n(batch.begin() + static_cast<std::ptrdiff_t>(start), count, events_);
    stats_.dispatches++;
    host_->Deliver(static_cast<uint32_t>(count));
    // JS has seen these closes and freed slabs: their slots and indices can be reused now.
    for (size_t i = start; i < start + count; ++i) {
      if (batch[i].type == kEventClose) ReleaseSlot(static_cast<uint32_t>(batch[i].id));
      if (batch[i].type == kEventSlab) pool_.Reusable(static_cast<uint32_t>(batch[i].a));
    }
    // The pump flushes after the last part. A record for a connection that this flush closes is
    // still delivered before its close record, which goes to pending_.
    if (start + count < batch.size()) FlushAndSubmit();
  }
  batch.clear();
}

// Sends the output of every connection that has some, then lets the backends submit (io_uring:
// one io_uring_enter for the sends, cancels and arms queued, whose immediate completions are
// handled at once).
void Reactor::FlushAndSubmit() {
  FlushDirty();
  epoll_->Submit();
  if (uring_) uring_->Submit();
}

void Reactor::FlushDirty() {
  std::vector<uint64_t>& dirty = flushing_;  // connections dirtied meanwhile go to dirty_
  dirty.swap(dirty_);
  for (uint64_t token : dirty) {
    const uint32_t slot = static_cast<uint32_t>(token);
    if (slot >= conns_.size() || conns_[slot] == nullptr || generations_[slot] != token >> 32) continue;
    Conn* c = conns_[slot];
    c->dirty = false;
    FlushConn(c);
  }
  dirty.clear();
}

// Work queued outside a pump (a write from a timer, a close) runs before the loop next waits.
void Reactor::Schedule() {
  if (pumping_ || prepare_active_ || idle_active_ || Idle()) return;
  prepare_active_ = true;
  uv_prepare_start(&prepare_handle_, OnPrepare);
  uv_ref(reinterpret_cast<uv_handle_t*>(&prepare_handle_));  // the loop must run once more for it
}

bool Reactor::Idle() const {
  return pending_.empty() && dirty_.empty() && !(uring_ && uring_->Queued()) && !pool_.has_freed();
}

// The loop stays alive while a listener or a connection is open and not unref()'d, like
// net.Server and net.Socket: held_ counts them.
void Reactor::UpdateLoopRef() {
  const bool want = held_ > 0;
  if (want == loop_ref_) return;
  loop_ref_ = want;
  for (uv_poll_t* h : {&epoll_handle_, &uring_handle_}) {
    if (h == &uring_handle_ && !uring_) continue;
    if (want) {
      uv_ref(reinterpret_cast<uv_handle_t*>(h));
    } else {
      uv_unref(reinterpret_cast<uv_handle_t*>(h));
    }
  }
}

void Reactor::Emit(EventType type, int32_t id, int32_t a, int32_t b, int32_t c) {
  pending_.push_back({type, id, a, b, c});
  Schedule();
}

// ---- timers ---------------------------------------------------------------------------------

void Reactor::OnTimer(uv_timer_t* handle) {
  Reactor* r = static_cast<Reactor*>(handle->data);
  r->host_->Enter();
  r->Sweep();
  r->host_->Leave();
  r->Schedule();
}

// Closes timed-out connections, retries paused listeners and gives idle slabs back. Walking every
// slot keeps the idle bookkeeping to one timestamp per read or write; the period follows the
// shortest timeout.
void Reactor::Sweep() {
  const uint64_t now = Now();
  uint32_t shortest = UINT32_MAX;
  freed_slabs_.clear();
  if (pool_.Shrink(now, &freed_slabs_)) shortest = kSlabIdleMs;
  for (int32_t slab : freed_slabs_) Emit(kEventSlab, 0, slab);
  EmitFreedSlabs();
  if (!handshakes_.empty()) {
    const std::vector<ShmHandshake*> running(handshakes_.begin(), handshakes_.end());
    for (ShmHandshake* h : running) {
      if (handshakes_.count(h) != 0) h->Tick(now);  // may finish it
    }
    if (!handshakes_.empty()) shortest = std::min(shortest, ShmHandshake::kWaitMs);
  }
  for (Conn* c : conns_) {
    if (c == nullptr || c->life.closed()) continue;
    if (c->life.connecting() && c->deadline != 0) {
      if (now >= c->deadline) {
        CloseConn(c, kCloseTimeout, ETIMEDOUT);
        continue;
      }
      shortest = std::min<uint64_t>(shortest, c->deadline - now);
    }
    if (c->life.open() && c->opts.idle_timeout_ms != 0) {
      if (now - c->last_active >= c->opts.idle_timeout_ms) {
        CloseConn(c, kCloseTimeout, ETIMEDOUT);
        continue;
      }
      shortest = std::min(shortest, c->opts.idle_timeout_ms);
    }
  }
  bool listener_paused = false;
  for (Listener* l : listeners_) {
    if (l == nullptr || !l->paused) continue;
    l->paused = false;
    l->io->ResumeListener(l);
    listener_paused = listener_paused || l->paused;
  }
  if (listener_paused) shortest = std::min(shortest, kListenerRetryMs * 4);
  if (shortest == UINT32_MAX) {
    uv_timer_stop(&timer_handle_);
    tick_ms_ = 0;
    return;
  }
  const uint32_t tick = std::clamp<uint32_t>(shortest / 4, 5, 250);
  if (tick != tick_ms_) {
    tick_ms_ = tick;
    uv_timer_start(&timer_handle_, OnTimer, tick, tick);
  }
}

// A new timeout of `ms` may need a faster tick than the running one (Sweep slows it down again).
void Reactor::UpdateTimer(uint32_t ms) {
  const uint32_t tick = std::clamp<uint32_t>(ms / 4, 5, 250);
  if (tick_ms_ == 0 || tick < tick_ms_) {
    tick_ms_ = tick;
    uv_timer_start(&timer_handle_, OnTimer, tick, tick);
  }
}

// ---- listeners ------------------------------------------------------------------------------

int Reactor::Listen(const SocketAddress& addr, int backlog, bool reuse_port, bool ipv6_only,
                    const std::string& path, const ConnOptions& opts) {
  const int fd = OpenListener(addr, backlog, reuse_port, ipv6_only);
  if (fd < 0) return fd;
  Listener* l = new Listener{fd, 0, opts, path, addr};
  l->io = Backend(opts.backend);
  if (addr.family() != AF_UNIX) LocalAddress(fd, &l->addr);
  auto it = std::find(listeners_.begin(), listeners_.end(), nullptr);
  l->id = static_cast<uint32_t>(it - listeners_.begin());
  if (it == listeners_.end()) {
    listeners_.push_back(l);
  } else {
    *it = l;
  }
  const int err = l->io->AddListener(l);
  if (err != 0) {
    listeners_[l->id] = nullptr;
    close(fd);
    delete l;
    return err;
  }
  listener_count_++;
  AdjustHold(1);
  return static_cast<int>(l->id);
}

Listener* Reactor::FindListener(uint32_t id) { return id < listeners_.size() ? listeners_[id] : nullptr; }

void Reactor::CloseListener(Listener* l) {
  l->io->RemoveListener(l);
  close(l->fd);
  l->fd = -1;  // tells a late accept completion that the listener is gone
  if (!l->path.empty()) unlink(l->path.c_str());
  // Clients still negotiating with it are closed, unreported.
  std::vector<ShmHandshake*> waiting;
  for (ShmHandshake* h : handshakes_) {
    if (h->listener() == l) waiting.push_back(h);
  }
  for (ShmHandshake* h : waiting) {
    const int fd = h->fd();
    ForgetHandshake(h);  // its poll stops before the fd closes
    close(fd);
  }
  listeners_[l->id] = nullptr;
  listener_count_--;
  if (!l->unref) AdjustHold(-1);
  if (l->io->Busy(l)) {
    closed_listeners_.insert(l);
  } else {
    delete l;
  }
}

void Reactor::SetListenerRef(Listener* l, bool ref) {
  if (l->unref == !ref) return;
  l->unref = !ref;
  AdjustHold(ref ? 1 : -1);
}

void Reactor::ListenerDone(Listener* l) {
  if (closed_listeners_.erase(l) != 0) delete l;
}

void Reactor::Accepted(Listener* l, int fd, const SocketAddress& peer) {
  stats_.accepts++;
  if (l->opts.shm && l->addr.family() == AF_UNIX) {
    ShmHandshake* h = ShmHandshake::ForAcceptor(this, loop_, l, fd, peer, Now());
    if (h == nullptr) {
      close(fd);
      return;
    }
    handshakes_.insert(h);
    UpdateTimer(ShmHandshake::kWaitMs);
    return;
  }
  Admit(l, fd, peer, nullptr, false);
}

void Reactor::Admit(Listener* l, int fd, const SocketAddress& peer, ShmRegion* region, bool answer_due) {
  if (l->addr.family() != AF_UNIX && l->opts.no_delay) SetNoDelay(fd, true);
  Conn* c = AddConn(fd, l->opts, false, l->io);
  if (c == nullptr) {
    if (answer_due) SendAnswer(fd, false);
    close(fd);
    if (region != nullptr) UnmapRegion(*region);
    return;
  }
  c->peer = peer;
  c->transport = l->addr.family() == AF_UNIX ? kTransportUnix : kTransportTcp;
  if (answer_due) {
    const bool lane = region != nullptr && StartLane(c, *region, false);
    if (!SendAnswer(fd, lane)) {
      CloseConn(c, kCloseError, EPROTO);  // JS never hears of it: its close record names no connection
      return;
    }
  }
  Emit(kEventAccept, static_cast<int32_t>(c->slot), static_cast<int32_t>(l->id), c->transport);
}

bool Reactor::StartLane(Conn* c, const ShmRegion& region, bool connector) {
  auto sink = std::make_unique<LaneLink>(this, c);
  std::unique_ptr<ShmLane> lane =
      ShmLane::Create(&pool_, sink.get(), region, connector ? ShmLane::Role::kConnector : ShmLane::Role::kAcceptor);
  if (!lane) {
    stats_.shm_refused++;
    return false;
  }
  c->lane_sink = std::move(sink);
  c->lane = std::move(lane);
  c->transport = kTransportShm;
  lane_count_++;
  return true;
}

void Reactor::ForgetHandshake(ShmHandshake* h) {
  handshakes_.erase(h);
  h->Close(nullptr);
}

// From the handshake's own poll callback (or the sweep): outside a pump, so in a host scope of its
// own (slabs are made for the lane); the records it emits go out with the next pump.
void Reactor::HandshakeDone(ShmHandshake* h) {
  host_->Enter();
  Settle(h);
  host_->Leave();
}

void Reactor::Settle(ShmHandshake* h) {
  using Outcome = ShmHandshake::Outcome;
  if (h->refused()) stats_.shm_refused++;
  const Outcome o = h->outcome();
  const int err = o == Outcome::kGone ? ECONNRESET : h->error();
  ShmRegion region = o == Outcome::kLane ? h->TakeRegion() : ShmRegion{};
  if (!h->connector()) {
    Listener* l = h->listener();
    const int fd = h->fd();
    const SocketAddress peer = h->peer();
    const bool answer_due = h->answer_due();
    ForgetHandshake(h);
    if (o == Outcome::kFailed || o == Outcome::kGone) {
      close(fd);
      return;
    }
    Admit(l, fd, peer, o == Outcome::kLane ? &region : nullptr, answer_due);
    return;
  }
  Conn* c = h->conn();
  c->handshake = nullptr;
  ForgetHandshake(h);
  if (o == Outcome::kFailed || o == Outcome::kGone) {
    CloseConn(c, kCloseError, err);
    return;
  }
  // On its real backend from now on, already connected.
  c->io = Backend(c->opts.backend);
  AdjustHold(c->life.Connected());
  if (c->io->AddConn(c) != 0) {
    UnmapRegion(region);
    CloseConn(c, kCloseError, ENOMEM);
    return;
  }
  if (o == Outcome::kLane && !StartLane(c, region, true)) {
    CloseConn(c, kCloseError, ENOMEM);  // the acceptor has a lane: the connection cannot go on plain
    return;
  }
  Connected(c);
}

void Reactor::EmitFreedSlabs() {
  if (!pool_.has_freed()) return;
  std::vector<int32_t> freed;
  pool_.TakeFreed(&freed);
  for (int32_t slab : freed) Emit(kEventSlab, 0, slab);
}

// The pending connections wait in the backlog; the ones already open keep being served.
void Reactor::AcceptFailed(Listener* l) {
  l->paused = true;
  UpdateTimer(kListenerRetryMs * 4);
}

// ---- connections ----------------------------------------------------------------------------

Conn* Reactor::AddConn(int fd, const ConnOptions& opts, bool connecting, IoBackend* io) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(conns_.size());
    conns_.push_back(nullptr);
    generations_.push_back(0);
  }
  Conn* c = new Conn(&pool_, slot, fd, opts, connecting);
  c->io = io;
  c->last_active = Now();
  if (io->AddConn(c) != 0) {
    delete c;
    free_slots_.push_back(slot);
    return nullptr;
  }
  conns_[slot] = c;
  conn_count_++;
  if (opts.idle_timeout_ms != 0) UpdateTimer(opts.idle_timeout_ms);
  AdjustHold(1);  // connecting, or open and not unref()'d yet
  return c;
}

Conn* Reactor::FindConn(uint32_t id) { return id < conns_.size() ? conns_[id] : nullptr; }

int Reactor::Connect(const SocketAddress& addr, const ConnOptions& opts, uint32_t timeout_ms) {
  bool in_progress = false;
  const int fd = OpenConnection(addr, &in_progress);
  if (fd < 0) return fd;
  const bool shm = opts.shm && addr.family() == AF_UNIX;
  Conn* c = AddConn(fd, opts, true, shm ? &handshaking_ : Backend(opts.backend));
  if (c == nullptr) {
    close(fd);
    return -ENOMEM;
  }
  c->peer = addr;
  c->transport = addr.family() == AF_UNIX ? kTransportUnix : kTransportTcp;
  if (shm) {
    // Connecting until the Answer is in (or the connect timeout fires, which closes it).
    if (timeout_ms != 0) {
      c->deadline = Now() + timeout_ms;
      UpdateTimer(timeout_ms);
    }
    c->handshake = ShmHandshake::ForConnector(this, loop_, c);
    if (c->handshake == nullptr) {
      CloseConn(c, kCloseError, ENOMEM);
    } else {
      handshakes_.insert(c->handshake);
    }
    return static_cast<int>(c->slot);
  }
  if (in_progress) {
    if (timeout_ms != 0) {
      c->deadline = Now() + timeout_ms;
      UpdateTimer(timeout_ms);
    }
  } else {
    Connected(c);
  }
  return static_cast<int>(c->slot);
}

void Reactor::Connected(Conn* c) {
  AdjustHold(c->life.Connected());  // an unref() while connecting takes effect now
  c->deadline = 0;
  c->last_active = Now();
  if (c->peer.family() != AF_UNIX && c->opts.no_delay) SetNoDelay(c->fd, true);
  Emit(kEventConnect, static_cast<int32_t>(c->slot), c->transport);
  c->io->Update(c);
  if (!c->out.empty() || c->life.ShutdownDue()) MarkDirty(c);
}

// The one place input enters a connection's chain: a range of a chunk the backend read into, linked
// without a copy (successive ranges of one chunk extend one segment).
void Reactor::Received(Conn* c, int32_t chunk, const char* data, uint32_t n) {
  if (!c->lane) {
    Input(c, chunk, data, n);
    return;
  }
  // A lane's socket carries frames: a wake, or inline bytes its descriptors place in the stream.
  c->last_active = Now();
  const int err = c->lane->Received(chunk, data, n);
  if (err != 0) {
    CloseConn(c, kCloseError, err);
    return;
  }
  HarvestLane(c);
}

void Reactor::LaneInput(Conn* c, int32_t chunk, const char* data, uint32_t n) { Input(c, chunk, data, n); }

void Reactor::HarvestLane(Conn* c) {
  if (!c->life.open() || !c->lane) return;
  if (const int err = c->lane->Harvest(c->InputRoom()); err != 0) {
    CloseConn(c, kCloseError, err);
    return;
  }
  if (!c->lane_end) return;
  // After the FIN: the end once every descriptor published before it is in; a frame cut short
  // or bytes that can no longer come are a violation.
  if (c->lane->AtEnd() != 0) {
    CloseConn(c, kCloseError, EPROTO);
    return;
  }
  if (c->lane->HasUnread()) return;  // paused or at maxInput: resume() or release() harvests again
  c->lane_end = false;
  EndInput(c);
}

void Reactor::Input(Conn* c, int32_t chunk, const char* data, uint32_t n) {
  c->in.LinkChunk(chunk, data, n);
  const uint32_t offset = static_cast<uint32_t>(data - pool_.Data(chunk));
  stats_.bytes_read += n;
  c->data_pump = pump_seq_;
  c->last_active = Now();
  // Reads that continue the previous record (same connection, same chunk, adjacent) extend it.
  if (!pending_.empty()) {
    Event& last = pending_.back();
    if (last.type == kEventData && last.id == static_cast<int32_t>(c->slot) && last.a == chunk &&
        static_cast<uint32_t>(last.b + last.c) == offset) {
      last.c += static_cast<int32_t>(n);
      return;
    }
  }
  Emit(kEventData, static_cast<int32_t>(c->slot), chunk, static_cast<int32_t>(offset), static_cast<int32_t>(n));
}

// When input arrived in this same pump, the end is held to the loop's next poll phase, as under
// libuv, whose EOF comes from a later read callback than the data before it: the callbacks that
// the data started (promise jobs, setImmediate) run first. node:http aborts the requests it has
// not answered when it sees the end, so a request answered after an await, then the client's
// FIN, would otherwise get no response.
void Reactor::PeerEnded(Conn* c) {
  if (c->lane) {
    c->life.PeerEnded(true);  // no more socket reads; the end waits for the lane's ring
    c->lane_end = true;
    HarvestLane(c);
    return;
  }
  EndInput(c);
}

void Reactor::EndInput(Conn* c) {
  const bool hold = c->data_pump == pump_seq_;
  c->life.PeerEnded(hold);
  if (hold) {
    held_ends_.push_back(Token(generations_[c->slot], c->slot));
    const uint64_t one = 1;
    if (!wake_armed_) wake_armed_ = write(wake_fd_, &one, sizeof one) == sizeof one;
    return;
  }
  Emit(kEventEnd, static_cast<int32_t>(c->slot));
  MarkDirty(c);  // the flush decides whether the connection closes now
}

void Reactor::OnWake(uv_poll_t* handle, int, int) {
  Reactor* r = static_cast<Reactor*>(handle->data);
  uint64_t count;
  if (read(r->wake_fd_, &count, sizeof count) < 0) return;  // EAGAIN: not armed
  r->wake_armed_ = false;
  std::vector<uint64_t> held;
  held.swap(r->held_ends_);
  for (uint64_t token : held) {
    const uint32_t slot = static_cast<uint32_t>(token);
    if (slot >= r->conns_.size() || r->conns_[slot] == nullptr || r->generations_[slot] != token >> 32) continue;
    Conn* c = r->conns_[slot];
    if (!c->life.ReleaseEnd()) continue;
    r->Emit(kEventEnd, static_cast<int32_t>(slot));
    r->MarkDirty(c);
  }
  r->Pump(nullptr);
}

void Reactor::Sent(Conn* c, size_t n) {
  c->out.Consume(n);
  stats_.bytes_written += n;
  c->last_active = Now();
}

void Reactor::FlushConn(Conn* c) {
  if (!c->life.open()) return;
  if (c->lane) {
    const size_t before = c->lane->output_length();
    // After the peer's FIN the lane spills rather than waits for a reader that may be gone (a
    // killed peer): the socket then says, as a socket write would.
    if (const int err = c->lane->Publish(&c->out, c->life.peer_ended()); err != 0) {
      CloseConn(c, kCloseError, err);
      return;
    }
    if (c->lane->output_length() != before) c->last_active = Now();  // publishing is activity
  }
  if (!c->out.empty()) {
    c->io->Send(c);
    if (!c->life.open()) return;
  }
  if (c->need_drain && c->OutputLength() < c->opts.high_water_mark) {
    c->need_drain = false;
    Emit(kEventDrain, static_cast<int32_t>(c->slot));
  }
  if (c->OutputLength() == 0) {
    if (c->life.ShutdownDue()) {
      shutdown(c->fd, SHUT_WR);
      c->life.ShutdownSent();
    }
    if (c->life.CloseDue(c->opts.allow_half_open)) {
      CloseConn(c, kClosePeer, 0);
      return;
    }
  }
  c->io->Update(c);
}

// Every close path comes here; ConnLife lets only the first one through.
void Reactor::CloseConn(Conn* c, CloseReason reason, int err) {
  const size_t unsent = c->life.ReportsUnsent() ? c->OutputLength() : 0;
  bool end_first = false;
  int hold = 0;
  if (!c->life.Close(&end_first, &hold)) return;
  if (end_first) Emit(kEventEnd, static_cast<int32_t>(c->slot));  // a held end still comes first
  if (c->handshake != nullptr) {
    ForgetHandshake(c->handshake);  // its poll stops before the fd closes
    c->handshake = nullptr;
  }
  if (c->lane) {
    // Its windows are detached: each goes once no chain and no JS view holds it.
    c->lane.reset();
    c->lane_sink.reset();
    lane_count_--;
  }
  c->io->RemoveConn(c);
  close(c->fd);
  c->fd = -1;
  conn_count_--;
  AdjustHold(hold);
  LetGoOfMemory(c);
  Emit(kEventClose, static_cast<int32_t>(c->slot), reason, err, Clamp32(unsent));
}

// JS has been handed the close record: the id is forgotten, and the memory goes with it unless a
// backend operation still uses it. An orphan keeps its slot (not its id: the generation moves on),
// so the backend's record of that slot stays its own until ConnDone.
void Reactor::ReleaseSlot(uint32_t slot) {
  Conn* c = conns_[slot];
  if (c == nullptr || !c->life.closed()) return;
  conns_[slot] = nullptr;
  generations_[slot]++;
  if (c->life.JsSawClose(c->io->Busy(c))) {
    FreeConn(c);
    return;
  }
  orphans_.insert(c);
  LetGoOfMemory(c);
}

void Reactor::ConnDone(Conn* c) {
  LetGoOfMemory(c);
  if (c->life.BackendDone() && orphans_.erase(c) != 0) FreeConn(c);
}

// ConnLife's memory rule for a closed connection: the output chain goes once no operation uses
// it; the input chain once JS has seen the close (onClose may still read it until then).
void Reactor::LetGoOfMemory(Conn* c) {
  if (!c->io->Busy(c)) c->out.Clear();
  if (c->life.orphaned()) c->in.Clear();
}

void Reactor::FreeConn(Conn* c) {
  free_slots_.push_back(c->slot);
  delete c;
}

void Reactor::AdjustHold(int change) {
  if (change == 0) return;
  held_ = change > 0 ? held_ + 1 : held_ - 1;
  UpdateLoopRef();
}

void Reactor::MarkDirty(Conn* c) {
  if (c->dirty) return;
  c->dirty = true;
  dirty_.push_back(Token(generations_[c->slot], c->slot));
  Schedule();
}

// ---- operations from JS ---------------------------------------------------------------------

char* Reactor::Reserve(Conn* c, uint32_t n, int32_t* chunk, uint32_t* offset) {
  // A lane's output memory is its shared chunks (the pool's when the area is full).
  LinkBuffer& out = c->lane ? c->lane->out() : c->out;
  uint32_t space = 0;
  char* dst = out.TailSpace(n, &space);
  if (dst == nullptr) return nullptr;
  *chunk = out.TailChunk();
  *offset = static_cast<uint32_t>(dst - pool_.Data(*chunk));
  out.Commit(n);
  if (c->OutputLength() >= c->opts.high_water_mark) c->need_drain = true;
  MarkDirty(c);
  return dst;
}

bool Reactor::Write(Conn* c, void* buffer, char* data, size_t len) {
  if (len == 0) return true;
  bool ok = true;
  // A lane's chain takes writes as the socket's does; what is linked is copied into shared memory
  // when published (ShmLane::Publish).
  LinkBuffer& out = c->lane ? c->lane->out() : c->out;
  const int32_t chunk = len > kCopyThreshold ? pool_.ChunkOf(data, len) : -1;
  if (len <= kCopyThreshold) {
    ok = out.Append(data, len);
  } else if (chunk >= 0 && pool_.refs(chunk) > 0) {
    // (A view kept past release() names a chunk nobody holds, maybe reused: it is pinned instead.)
    // A view of input memory (an echo, a proxy): forward the chunk itself.
    out.LinkChunk(chunk, data, static_cast<uint32_t>(len));
  } else {
    void* pin = host_->Pin(buffer);
    ok = pin != nullptr;
    if (ok) out.LinkExternal(data, static_cast<uint32_t>(len), pin);
  }
  if (c->OutputLength() >= c->opts.high_water_mark) c->need_drain = true;
  MarkDirty(c);
  return ok;
}

void Reactor::Flush(Conn* c) {
  c->io->RetryOutput(c);
  FlushConn(c);
}

void Reactor::End(Conn* c) {
  c->life.WriteEnded();
  MarkDirty(c);
}

void Reactor::Close(Conn* c) {
  // What the lane can still publish goes first (what it cannot is reported unsent).
  if (c->life.open() && c->lane && c->lane->Publish(&c->out, true) != 0) c->lane->out().Clear();
  if (c->life.open()) c->io->SendNow(c);
  CloseConn(c, kCloseLocal, 0);
}

void Reactor::Reset(Conn* c) {
  if (c->life.closed()) return;
  // On io_uring the RST goes when the cancelled operations let go of the socket.
  SetResetOnClose(c->fd);
  c->life.DropOutput();
  CloseConn(c, kCloseLocal, 0);
}

void Reactor::Release(Conn* c, size_t n) {
  c->in.Consume(n);
  c->io->Update(c);
  if (c->lane) HarvestLane(c);
  if (pool_.has_freed()) Schedule();  // the last view of a closed lane's window went
}

void Reactor::SetPaused(Conn* c, bool paused) {
  c->paused = paused;
  c->io->Update(c);
  if (!paused && c->lane) HarvestLane(c);
}

void Reactor::SetConnRef(Conn* c, bool ref) {
  AdjustHold(c->life.SetRef(ref));
}

void Reactor::EndSeen(Conn* c) {
  if (c->life.EndSeen()) MarkDirty(c);
}

void Reactor::SetIdleTimeout(Conn* c, uint32_t ms) {
  c->opts.idle_timeout_ms = ms;
  c->last_active = Now();
  if (ms != 0) UpdateTimer(ms);
}

}  // namespace ringpoll
