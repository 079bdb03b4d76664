#include "reactor.h"

#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace ringpoll {

namespace {

constexpr uint64_t kListenerToken = 1ull << 63;
constexpr size_t kReadBudget = 256 * 1024;  // per connection per wake-up, for fairness
constexpr int kMaxRounds = 16;              // dispatch/flush rounds per pump before yielding
constexpr uint32_t kAcceptBudget = 1024;    // accepts per listener per wake-up
constexpr uint32_t kListenerRetryMs = 100;  // after EMFILE/ENFILE
constexpr int kIovMax = IOV_MAX;

uint64_t Token(uint32_t generation, uint32_t slot) {
  return (static_cast<uint64_t>(generation) << 32) | slot;
}

int32_t Clamp32(size_t n) { return n > INT32_MAX ? INT32_MAX : static_cast<int32_t>(n); }

}  // namespace

Reactor::Reactor(napi_env env) : env_(env), pool_(env) {}

Reactor* Reactor::Create(napi_env env, napi_value dispatch) {
  Reactor* r = new Reactor(env);
  const char* failure = nullptr;
  if (r->poller_.fd() < 0) failure = "epoll_create1 failed";
  if (!failure && napi_get_uv_event_loop(env, &r->loop_) != napi_ok) failure = "no event loop";
  if (!failure && napi_create_reference(env, dispatch, 1, &r->dispatch_) != napi_ok) failure = "dispatch";
  napi_value name, resource;
  if (!failure && (napi_create_string_utf8(env, "ringpoll", NAPI_AUTO_LENGTH, &name) != napi_ok ||
                   napi_create_object(env, &resource) != napi_ok ||
                   napi_async_init(env, resource, name, &r->async_context_) != napi_ok)) {
    failure = "async context";
  }
  void* data = nullptr;
  napi_value events;
  if (!failure && (napi_create_arraybuffer(env, kMaxBatch * sizeof(Event), &data, &events) != napi_ok ||
                   napi_create_reference(env, events, 1, &r->events_ref_) != napi_ok)) {
    failure = "event buffer";
  }
  if (failure) {
    delete r;
    napi_throw_error(env, "ERR_RINGPOLL_INIT", failure);
    return nullptr;
  }
  r->events_ = static_cast<Event*>(data);
  ReserveSpareFd();  // for ShedBacklog, opened now so that it is there when descriptors run out

  uv_poll_init(r->loop_, &r->poll_handle_, r->poller_.fd());
  uv_prepare_init(r->loop_, &r->prepare_handle_);
  uv_timer_init(r->loop_, &r->timer_handle_);
  r->open_handles_ = 3;
  r->poll_handle_.data = r->prepare_handle_.data = r->timer_handle_.data = r;
  uv_poll_start(&r->poll_handle_, UV_READABLE, OnPoll);
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->prepare_handle_));
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->timer_handle_));
  r->UpdateLoopRef();
  napi_add_async_cleanup_hook(env, OnCleanup, r, &r->cleanup_);
  return r;
}

Reactor::~Reactor() {
  for (Conn* c : conns_) {
    if (c == nullptr) continue;
    if (c->fd >= 0) close(c->fd);
    delete c;
  }
  for (Listener* l : listeners_) {
    if (l == nullptr) continue;
    close(l->fd);
    if (!l->path.empty()) unlink(l->path.c_str());
    delete l;
  }
  if (async_context_ != nullptr) napi_async_destroy(env_, async_context_);
  if (dispatch_ != nullptr) napi_delete_reference(env_, dispatch_);
  if (events_ref_ != nullptr) napi_delete_reference(env_, events_ref_);
}

// The environment is going away (process exit, worker termination): close the loop handles, and
// free everything once libuv has let go of them.
void Reactor::OnCleanup(napi_async_cleanup_hook_handle, void* arg) {
  Reactor* r = static_cast<Reactor*>(arg);
  auto closed = [](uv_handle_t* h) {
    Reactor* r = static_cast<Reactor*>(h->data);
    if (--r->open_handles_ > 0) return;
    napi_async_cleanup_hook_handle hook = r->cleanup_;
    delete r;
    napi_remove_async_cleanup_hook(hook);
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&r->poll_handle_), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&r->prepare_handle_), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&r->timer_handle_), closed);
}

napi_value Reactor::events_array() const {
  napi_value buffer = nullptr, array = nullptr;
  napi_get_reference_value(env_, events_ref_, &buffer);
  napi_create_typedarray(env_, napi_int32_array, kMaxBatch * kEventInts, buffer, 0, &array);
  return array;
}

// ---- the loop -------------------------------------------------------------------------------

void Reactor::OnPoll(uv_poll_t* handle, int, int) { static_cast<Reactor*>(handle->data)->Pump(true); }

void Reactor::OnPrepare(uv_prepare_t* handle) {
  Reactor* r = static_cast<Reactor*>(handle->data);
  uv_prepare_stop(handle);
  uv_unref(reinterpret_cast<uv_handle_t*>(handle));
  r->prepare_active_ = false;
  r->Pump(false);
}

void Reactor::Pump(bool poll) {
  if (pumping_) return;
  pumping_ = true;
  napi_handle_scope scope;
  napi_open_handle_scope(env_, &scope);
  if (poll) {
    stats_.wakeups++;
    PollOnce();
  }
  for (int round = 0; round < kMaxRounds; ++round) {
    if (!pending_.empty()) Dispatch();
    FlushDirty();
    if (pending_.empty() && dirty_.empty()) break;
  }
  napi_close_handle_scope(env_, scope);
  pumping_ = false;
  Schedule();
  UpdateLoopRef();
}

void Reactor::PollOnce() {
  // A full batch of epoll events may leave more behind; a bounded number of passes drains them.
  for (int pass = 0; pass < 4; ++pass) {
    const int n = poller_.Poll();
    for (int i = 0; i < n; ++i) {
      const epoll_event& ev = poller_.event(i);
      if (ev.data.u64 & kListenerToken) {
        Listener* l = FindListener(static_cast<uint32_t>(ev.data.u64));
        if (l != nullptr) HandleListener(l);
        continue;
      }
      const uint32_t slot = static_cast<uint32_t>(ev.data.u64);
      const uint32_t generation = static_cast<uint32_t>(ev.data.u64 >> 32);
      // A stale event (its connection closed earlier in this batch) is dropped.
      if (slot >= conns_.size() || conns_[slot] == nullptr || generations_[slot] != generation) continue;
      HandleConn(conns_[slot], ev.events);
    }
    if (n < EpollPoller::kMaxEvents) break;
  }
}

// Hands every pending record to JS, kMaxBatch at a time, through MakeCallback so that
// process.nextTick and promise jobs run after each batch as after any libuv callback.
void Reactor::Dispatch() {
  std::vector<Event>& batch = dispatching_;  // records JS adds meanwhile go to pending_
  batch.swap(pending_);
  napi_value fn, recv, argv[1], result;
  napi_get_reference_value(env_, dispatch_, &fn);
  napi_get_global(env_, &recv);
  for (size_t start = 0, count = 0; start < batch.size(); start += count) {
    count = std::min<size_t>(kMaxBatch, batch.size() - start);
    // Never split one connection's reads across two calls: JS calls onData after the last of them.
    while (start + count < batch.size() && count > 1 && batch[start + count].type == kEventData &&
           batch[start + count - 1].type == kEventData && batch[start + count].id == batch[start + count - 1].id) {
      --count;
    }
    std::copy_n(batch.begin() + static_cast<std::ptrdiff_t>(start), count, events_);
    napi_create_uint32(env_, static_cast<uint32_t>(count), &argv[0]);
    stats_.dispatches++;
    if (napi_make_callback(env_, async_context_, recv, fn, 1, argv, &result) == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env_, &error);
      napi_fatal_exception(env_, error);
    }
    // JS has seen these closes: their slots can be reused now.
    for (size_t i = start; i < start + count; ++i) {
      if (batch[i].type == kEventClose) ReleaseSlot(static_cast<uint32_t>(batch[i].id));
    }
  }
  batch.clear();
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
  if (pumping_ || prepare_active_ || (pending_.empty() && dirty_.empty())) return;
  prepare_active_ = true;
  uv_prepare_start(&prepare_handle_, OnPrepare);
  uv_ref(reinterpret_cast<uv_handle_t*>(&prepare_handle_));  // the loop must run once more for it
}

// The loop stays alive while a listener or a connection is open, like net.Server and net.Socket.
void Reactor::UpdateLoopRef() {
  const bool want = conn_count_ > 0 || listener_count_ > 0;
  if (want == loop_ref_) return;
  loop_ref_ = want;
  if (want) {
    uv_ref(reinterpret_cast<uv_handle_t*>(&poll_handle_));
  } else {
    uv_unref(reinterpret_cast<uv_handle_t*>(&poll_handle_));
  }
}

void Reactor::Emit(EventType type, int32_t id, int32_t a, int32_t b, int32_t c) {
  pending_.push_back({type, id, a, b, c});
  Schedule();
}

void Reactor::EmitData(Conn* c, int32_t chunk, uint32_t offset, uint32_t len) {
  if (!pending_.empty()) {
    Event& last = pending_.back();
    if (last.type == kEventData && last.id == static_cast<int32_t>(c->slot) && last.a == chunk &&
        static_cast<uint32_t>(last.b + last.c) == offset) {
      last.c += static_cast<int32_t>(len);
      return;
    }
  }
  Emit(kEventData, static_cast<int32_t>(c->slot), chunk, static_cast<int32_t>(offset),
       static_cast<int32_t>(len));
}

// ---- timers ---------------------------------------------------------------------------------

void Reactor::OnTimer(uv_timer_t* handle) {
  Reactor* r = static_cast<Reactor*>(handle->data);
  napi_handle_scope scope;
  napi_open_handle_scope(r->env_, &scope);
  r->Sweep();
  napi_close_handle_scope(r->env_, scope);
  r->Schedule();
}

// Closes timed-out connections and retries paused listeners. Walking every slot keeps the idle
// bookkeeping to one timestamp per read or write; the period follows the shortest timeout.
void Reactor::Sweep() {
  const uint64_t now = Now();
  uint32_t shortest = UINT32_MAX;
  for (Conn* c : conns_) {
    if (c == nullptr || c->state == ConnState::kClosed) continue;
    if (c->state == ConnState::kConnecting && c->deadline != 0) {
      if (now >= c->deadline) {
        CloseConn(c, kCloseTimeout, ETIMEDOUT);
        continue;
      }
      shortest = std::min<uint64_t>(shortest, c->deadline - now);
    }
    if (c->state == ConnState::kOpen && c->opts.idle_timeout_ms != 0) {
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
    poller_.Modify(l->fd, EPOLLIN, kListenerToken | l->id);
    HandleListener(l);
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
  if (addr.family() != AF_UNIX) LocalAddress(fd, &l->addr);
  auto it = std::find(listeners_.begin(), listeners_.end(), nullptr);
  l->id = static_cast<uint32_t>(it - listeners_.begin());
  if (it == listeners_.end()) {
    listeners_.push_back(l);
  } else {
    *it = l;
  }
  const int err = poller_.Add(fd, EPOLLIN, kListenerToken | l->id);
  if (err != 0) {
    listeners_[l->id] = nullptr;
    close(fd);
    delete l;
    return err;
  }
  listener_count_++;
  UpdateLoopRef();
  return static_cast<int>(l->id);
}

Listener* Reactor::FindListener(uint32_t id) { return id < listeners_.size() ? listeners_[id] : nullptr; }

void Reactor::CloseListener(Listener* l) {
  poller_.Remove(l->fd);
  close(l->fd);
  if (!l->path.empty()) unlink(l->path.c_str());
  listeners_[l->id] = nullptr;
  delete l;
  listener_count_--;
  UpdateLoopRef();
}

void Reactor::HandleListener(Listener* l) {
  for (uint32_t i = 0; i < kAcceptBudget; ++i) {
    SocketAddress peer;
    peer.len = sizeof peer.storage;
    const int fd = accept4(l->fd, reinterpret_cast<sockaddr*>(&peer.storage), &peer.len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      if (err == EINTR || err == ECONNABORTED) continue;
      // Out of descriptors: close what waits in the backlog rather than leave it hanging.
      if ((err == EMFILE || err == ENFILE) && ShedBacklog(l->fd, kAcceptBudget) >= 0) return;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        // Out of descriptors: stop watching (level triggering would spin) and retry later. The
        // pending connections wait in the backlog; the ones already open keep being served.
        l->paused = true;
        poller_.Modify(l->fd, 0, kListenerToken | l->id);
        UpdateTimer(kListenerRetryMs * 4);
      }
      return;  // EAGAIN: drained
    }
    stats_.accepts++;
    if (l->addr.family() != AF_UNIX && l->opts.no_delay) SetNoDelay(fd, true);
    Conn* c = AddConn(fd, l->opts, ConnState::kOpen);
    if (c == nullptr) {
      close(fd);
      continue;
    }
    c->peer = peer;
    Emit(kEventAccept, static_cast<int32_t>(c->slot), static_cast<int32_t>(l->id));
  }
}

// ---- connections ----------------------------------------------------------------------------

Conn* Reactor::AddConn(int fd, const ConnOptions& opts, ConnState state) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(conns_.size());
    conns_.push_back(nullptr);
    generations_.push_back(0);
  }
  Conn* c = new Conn(&pool_, slot, fd, opts);
  c->state = state;
  c->last_active = Now();
  c->events = c->DesiredEvents();
  if (poller_.Add(fd, c->events, Token(generations_[slot], slot)) != 0) {
    delete c;
    free_slots_.push_back(slot);
    return nullptr;
  }
  conns_[slot] = c;
  conn_count_++;
  if (opts.idle_timeout_ms != 0) UpdateTimer(opts.idle_timeout_ms);
  UpdateLoopRef();
  return c;
}

Conn* Reactor::FindConn(uint32_t id) { return id < conns_.size() ? conns_[id] : nullptr; }

int Reactor::Connect(const SocketAddress& addr, const ConnOptions& opts, uint32_t timeout_ms) {
  bool in_progress = false;
  const int fd = OpenConnection(addr, &in_progress);
  if (fd < 0) return fd;
  Conn* c = AddConn(fd, opts, in_progress ? ConnState::kConnecting : ConnState::kOpen);
  if (c == nullptr) {
    close(fd);
    return -ENOMEM;
  }
  c->peer = addr;
  if (in_progress) {
    if (timeout_ms != 0) {
      c->deadline = Now() + timeout_ms;
      UpdateTimer(timeout_ms);
    }
  } else {
    FinishConnect(c);
  }
  return static_cast<int>(c->slot);
}

void Reactor::FinishConnect(Conn* c) {
  c->state = ConnState::kOpen;
  c->deadline = 0;
  c->last_active = Now();
  if (c->peer.family() != AF_UNIX && c->opts.no_delay) SetNoDelay(c->fd, true);
  Emit(kEventConnect, static_cast<int32_t>(c->slot));
  UpdateInterest(c);
  if (!c->out.empty() || c->write_ended) MarkDirty(c);
}

void Reactor::HandleConn(Conn* c, uint32_t events) {
  if (c->state == ConnState::kClosed) return;
  if (c->state == ConnState::kConnecting) {
    const int err = PendingError(c->fd);
    if (err != 0) {
      CloseConn(c, kCloseError, err);
    } else if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
      FinishConnect(c);
    }
    return;
  }
  // Read before acting on a hang-up, so that bytes sent before a FIN are delivered first. A
  // hang-up or an error means reading to the end (or to the error) now.
  const bool hangup = events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
  if ((events & EPOLLIN) || hangup) ReadConn(c, hangup);
  if (c->state == ConnState::kClosed) return;
  if (events & EPOLLERR) {
    const int err = PendingError(c->fd);
    if (err != 0) {
      CloseConn(c, kCloseError, err);
      return;
    }
  }
  // Both directions are shut (our FIN and the peer's, or a reset without an error left).
  if ((events & EPOLLHUP) && c->peer_ended) {
    CloseConn(c, kClosePeer, 0);
    return;
  }
  if ((events & EPOLLOUT) && c->want_write) {
    c->want_write = false;
    FlushConn(c);
  }
}

// Reads into the tail of the input chain until the socket is drained, the per-wake-up budget is
// spent, or (unless reading to the end after a hang-up) the input limit is reached.
void Reactor::ReadConn(Conn* c, bool to_eof) {
  size_t budget = kReadBudget;
  while (!c->peer_ended && (to_eof || c->Reading())) {
    uint32_t space = 0;
    char* dst = c->in.TailSpace(1, &space);
    if (dst == nullptr) {
      CloseConn(c, kCloseError, ENOMEM);
      return;
    }
    const ssize_t n = read(c->fd, dst, space);
    stats_.read_calls++;
    if (n > 0) {
      const uint32_t offset = static_cast<uint32_t>(dst - pool_.Data(c->in.TailChunk()));
      c->in.Commit(static_cast<uint32_t>(n));
      EmitData(c, c->in.TailChunk(), offset, static_cast<uint32_t>(n));
      stats_.bytes_read += static_cast<uint64_t>(n);
      c->last_active = Now();
      // A read that did not fill its buffer has most likely drained the socket; level triggering
      // reports whatever comes next, so the EAGAIN read is saved.
      if (static_cast<uint32_t>(n) < space && !to_eof) break;
      if (!to_eof && (budget -= std::min(budget, static_cast<size_t>(n))) == 0) break;
      continue;
    }
    c->in.TrimTail();
    if (n == 0) {
      c->peer_ended = true;
      Emit(kEventEnd, static_cast<int32_t>(c->slot));
      MarkDirty(c);  // the flush decides whether the connection closes now
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    CloseConn(c, kCloseError, errno);
    return;
  }
  UpdateInterest(c);
}

// Sends the output chain in vectored calls (IOV_MAX segments each) until it is empty or the kernel
// pushes back; then applies end(), drain and the close that follows the peer's FIN.
void Reactor::FlushConn(Conn* c) {
  if (c->state != ConnState::kOpen) return;
  struct iovec iov[kIovMax];
  while (!c->out.empty() && !c->want_write) {
    if (!c->out.HeadLinksIntact(kIovMax)) {
      CloseConn(c, kCloseError, EFAULT);  // a buffer detached after write(): never send its memory
      return;
    }
    const int count = c->out.FillIovecs(iov, kIovMax);
    size_t requested = 0;
    for (int i = 0; i < count; ++i) requested += iov[i].iov_len;
    // write/writev rather than sendmsg(MSG_NOSIGNAL): cheaper, and Node ignores SIGPIPE.
    const ssize_t n = count == 1 ? write(c->fd, iov[0].iov_base, iov[0].iov_len) : writev(c->fd, iov, count);
    stats_.write_calls++;
    if (n >= 0) {
      c->out.Consume(static_cast<size_t>(n));
      stats_.bytes_written += static_cast<uint64_t>(n);
      c->last_active = Now();
      // A short write means the socket buffer is full: wait for EPOLLOUT rather than try again.
      if (static_cast<size_t>(n) < requested) c->want_write = true;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      c->want_write = true;
      break;
    }
    CloseConn(c, kCloseError, errno);
    return;
  }
  if (c->need_drain && c->out.length() < c->opts.high_water_mark) {
    c->need_drain = false;
    Emit(kEventDrain, static_cast<int32_t>(c->slot));
  }
  if (c->out.empty()) {
    if (c->write_ended && !c->shutdown_done) {
      shutdown(c->fd, SHUT_WR);
      c->shutdown_done = true;
    }
    if (c->peer_ended && (!c->opts.allow_half_open || c->shutdown_done)) {
      CloseConn(c, kClosePeer, 0);
      return;
    }
  }
  UpdateInterest(c);
}

void Reactor::CloseConn(Conn* c, CloseReason reason, int err) {
  if (c->state == ConnState::kClosed) return;
  const size_t unsent = c->out.length();
  c->state = ConnState::kClosed;
  poller_.Remove(c->fd);
  close(c->fd);
  c->fd = -1;
  c->out.Clear();
  conn_count_--;
  UpdateLoopRef();
  // The input chain stays until JS has seen the close: onClose may still read what arrived.
  Emit(kEventClose, static_cast<int32_t>(c->slot), reason, err, Clamp32(unsent));
}

void Reactor::ReleaseSlot(uint32_t slot) {
  Conn* c = conns_[slot];
  if (c == nullptr || c->state != ConnState::kClosed) return;
  delete c;
  conns_[slot] = nullptr;
  generations_[slot]++;
  free_slots_.push_back(slot);
}

void Reactor::UpdateInterest(Conn* c) {
  if (c->state == ConnState::kClosed) return;
  const uint32_t want = c->DesiredEvents();
  if (want == c->events) return;
  c->events = want;
  poller_.Modify(c->fd, want, Token(generations_[c->slot], c->slot));
}

void Reactor::MarkDirty(Conn* c) {
  if (c->dirty) return;
  c->dirty = true;
  dirty_.push_back(Token(generations_[c->slot], c->slot));
  Schedule();
}

// ---- operations from JS ---------------------------------------------------------------------

char* Reactor::Reserve(Conn* c, uint32_t n, int32_t* chunk, uint32_t* offset) {
  uint32_t space = 0;
  char* dst = c->out.TailSpace(n, &space);
  if (dst == nullptr) return nullptr;
  *chunk = c->out.TailChunk();
  *offset = static_cast<uint32_t>(dst - pool_.Data(*chunk));
  c->out.Commit(n);
  if (c->out.length() >= c->opts.high_water_mark) c->need_drain = true;
  MarkDirty(c);
  return dst;
}

bool Reactor::Write(Conn* c, napi_value buffer, char* data, size_t len) {
  if (len == 0) return true;
  bool ok = true;
  const int32_t chunk = len > kCopyThreshold ? pool_.ChunkOf(data, len) : -1;
  if (len <= kCopyThreshold) {
    ok = c->out.Append(data, len);
  } else if (chunk >= 0) {
    // A view of input memory (an echo, a proxy): forward the chunk itself.
    c->out.LinkChunk(chunk, data, static_cast<uint32_t>(len));
  } else {
    napi_ref ref;
    ok = napi_create_reference(env_, buffer, 1, &ref) == napi_ok;
    if (ok) c->out.LinkExternal(data, static_cast<uint32_t>(len), ref);
  }
  if (c->out.length() >= c->opts.high_water_mark) c->need_drain = true;
  MarkDirty(c);
  return ok;
}

void Reactor::Flush(Conn* c) {
  c->want_write = false;  // try now even if EPOLLOUT is awaited; EAGAIN sets it again
  FlushConn(c);
}

void Reactor::End(Conn* c) {
  c->write_ended = true;
  MarkDirty(c);
}

void Reactor::Close(Conn* c) {
  if (c->state == ConnState::kOpen) FlushConn(c);
  CloseConn(c, kCloseLocal, 0);
}

void Reactor::Release(Conn* c, size_t n) {
  c->in.Consume(n);
  UpdateInterest(c);
}

void Reactor::SetPaused(Conn* c, bool paused) {
  c->paused = paused;
  UpdateInterest(c);
}

void Reactor::SetIdleTimeout(Conn* c, uint32_t ms) {
  c->opts.idle_timeout_ms = ms;
  c->last_active = Now();
  if (ms != 0) UpdateTimer(ms);
}

}  // namespace ringpoll
