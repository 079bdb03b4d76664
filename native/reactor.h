// The reactor: one per JS thread, driven from Node's own loop.
//
// Node's loop watches each backend's fd (the epoll fd; the io_uring ring) with a uv_poll_t. On a
// wake-up the reactor gathers every ready event (accepts, input, peer closes) into one batch and
// hands it to JS in parts of about kPartRecords records, one call each, flushing every connection with
// output after each part. Writes made outside a batch (a timer, a promise) are flushed by a
// uv_prepare_t before the loop next waits.
// The backends (io_backend.h) move the bytes; everything else lives here and is shared by both.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "connection.h"
#include "events.h"
#include "io_backend.h"
#include "js_host.h"
#include "shm_handshake.h"
#include "slab.h"

namespace ringpoll {

struct Listener {
  int fd;
  uint32_t id;
  ConnOptions opts;   // given to every accepted connection
  std::string path;   // a Unix socket's path, unlinked on close
  SocketAddress addr; // as bound (the real port after port 0)
  IoBackend* io = nullptr;
  bool paused = false;  // accept hit EMFILE/ENFILE; retried by the timer
  bool unref = false;   // unref() from JS: does not keep the event loop alive
};

struct ReactorStats {
  uint64_t bytes_read = 0, bytes_written = 0, read_calls = 0, write_calls = 0, accepts = 0;
  uint64_t wakeups = 0, dispatches = 0;  // loop wake-ups handled, calls into JS
  uint64_t submits = 0;                  // io_uring_enter calls
  uint64_t shm_refused = 0;              // lane handshakes declined, refused or failed
};

class Reactor {
 public:
  static constexpr uint32_t kMaxBatch = 4096;  // records per call into JS at most (the shared array)
  // Records per call into JS as a rule; each call's output is flushed before the next. Small enough
  // that a slow app's first answers go out early (64 connections of Express with 10 pipelined
  // requests each are ~60 ms of work), large enough that a call and a submit per part cost nothing
  // measurable (docs/http-speed.md). A part grows past it rather than split one connection's reads.
  static constexpr uint32_t kPartRecords = 64;
  static constexpr uint32_t kCopyThreshold = 8192;  // smaller writes are copied, larger linked

  // `host` hands the batch to JS and holds shared memory; `events` (kMaxBatch records) is where
  // the batch is written for it. `preferred` is what BackendChoice::kAuto means on this thread.
  // nullptr (and *failure says why) when the epoll fd or the loop handles cannot be made.
  static Reactor* Create(ReactorHost* host, uv_loop_t* loop, Event* events, BackendChoice preferred,
                         const char** failure);
  ~Reactor();
  // Closes the loop handles (the environment is going away); `closed(arg)` runs once they are all
  // closed, and may delete the reactor.
  void Close(void (*closed)(void*), void* arg);

  SlabPool& pool() { return pool_; }
  ReactorStats& stats() { return stats_; }
  // Connections not closed yet (a closed one may wait for JS to see its close record).
  uint32_t connection_count() const { return conn_count_; }
  uint32_t listener_count() const { return listener_count_; }
  // Open connections with a shm lane; handshakes running (each holds a socket not yet reported).
  uint32_t lane_count() const { return lane_count_; }
  uint32_t handshake_count() const { return static_cast<uint32_t>(handshakes_.size()); }
  // The backend kAuto resolves to (after any fallback).
  const char* default_backend() { return Backend(BackendChoice::kAuto)->name(); }
  // Chunks held by connections and JS, and chunks the backends hold for input yet to arrive.
  uint32_t chunks_in_use() const { return pool_.chunks_in_use() - chunks_reserved(); }
  uint32_t chunks_reserved() const;
  uint32_t uring_buffers() const { return uring_ ? uring_->ProvidedBuffers() : 0; }

  // Listeners. Listen returns the listener id or -errno.
  int Listen(const SocketAddress& addr, int backlog, bool reuse_port, bool ipv6_only,
             const std::string& path, const ConnOptions& opts);
  Listener* FindListener(uint32_t id);
  void CloseListener(Listener* l);
  // ref()/unref(): whether the listener keeps the event loop alive (as net.Server's handle).
  void SetListenerRef(Listener* l, bool ref);

  // Connections. Connect returns the connection id or -errno; the outcome arrives as a
  // kEventConnect or a kEventClose record.
  int Connect(const SocketAddress& addr, const ConnOptions& opts, uint32_t timeout_ms);
  Conn* FindConn(uint32_t id);
  // Queues n (<= kChunkSize) bytes of output memory for JS to fill; nullptr when out of memory.
  char* Reserve(Conn* c, uint32_t n, int32_t* chunk, uint32_t* offset);
  // Queues a JS buffer's bytes: copied when small, else linked in place (`buffer` is the host's
  // handle of it, for MemoryHost::Pin). False when out of memory.
  bool Write(Conn* c, void* buffer, char* data, size_t len);
  void Flush(Conn* c);
  void End(Conn* c);
  void Close(Conn* c);
  // Close with RST: queued output is dropped (not reported as unsent), the peer sees ECONNRESET.
  void Reset(Conn* c);
  void Release(Conn* c, size_t n);
  void SetPaused(Conn* c, bool paused);
  // JS has delivered the peer's FIN: the close that follows it may happen now.
  void EndSeen(Conn* c);
  void SetIdleTimeout(Conn* c, uint32_t ms);
  // ref()/unref(): whether an open connection keeps the event loop alive. A connection still
  // connecting always does, as net's pending connect request does.
  void SetConnRef(Conn* c, bool ref);

  // ---- called by the backends ----
  void Accepted(Listener* l, int fd, const SocketAddress& peer);
  // accept failed for want of descriptors or memory: stop accepting and retry from the timer.
  void AcceptFailed(Listener* l);
  void Connected(Conn* c);
  // `n` bytes arrived at `data`, in `chunk` (the backend's reference stays its own).
  void Received(Conn* c, int32_t chunk, const char* data, uint32_t n);
  void PeerEnded(Conn* c);
  void Failed(Conn* c, int err) { CloseConn(c, kCloseError, err); }
  // A send failed (JS names the syscall 'write', as node does).
  void SendFailed(Conn* c, int err) { CloseConn(c, kCloseWriteError, err); }
  // Both directions are shut (our FIN and the peer's) without an error.
  void PeerClosed(Conn* c) { CloseConn(c, kClosePeer, 0); }
  // The kernel took `n` bytes of output.
  void Sent(Conn* c, size_t n);
  // Sends what is queued, then reports drain and applies end() and the close after the peer's FIN.
  void FlushConn(Conn* c);
  void ListenerDone(Listener* l);
  // The backend's last operation on a closed connection has finished.
  void ConnDone(Conn* c);
  // Work was queued outside a pump: make sure one runs before the loop next waits.
  void Schedule();

  // ---- called by a shm handshake and a lane (shm_handshake.h, shm_lane.h) ----
  // The negotiation is over (h->outcome()): start the connection, or close the socket. Closes h.
  void HandshakeDone(ShmHandshake* h);
  void LaneInput(Conn* c, int32_t chunk, const char* data, uint32_t n);
  void LaneFlushDue(Conn* c) { MarkDirty(c); }

 private:
  Reactor(ReactorHost* host, uv_loop_t* loop, Event* events);
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnPrepare(uv_prepare_t* handle);
  static void OnIdle(uv_idle_t* handle);
  static void OnTimer(uv_timer_t* handle);
  static void OnWake(uv_poll_t* handle, int status, int events);

  // The backend for a choice, made on first use; io_uring falls back to epoll when refused.
  IoBackend* Backend(BackendChoice choice);
  bool Watch(IoBackend* io, uv_poll_t* handle);

  // One turn: poll `woke` (if any), then dispatch, flush and submit until nothing is left.
  void Pump(IoBackend* woke);
  void Dispatch();
  void FlushDirty();
  void FlushAndSubmit();
  bool Idle() const;  // nothing to dispatch, flush or submit
  void UpdateLoopRef();
  void Sweep();
  void UpdateTimer(uint32_t ms);

  void CloseConn(Conn* c, CloseReason reason, int err);
  // Input in a chain and a DATA record: socket bytes of a plain connection, a lane's deliveries.
  void Input(Conn* c, int32_t chunk, const char* data, uint32_t n);
  // The peer's FIN reaches JS (held to the next poll phase when input came in this pump).
  void EndInput(Conn* c);
  // Accepted and, for a shm listener, negotiated: the connection starts and JS hears of it.
  // `answer_due`: the client's Hello is read and waits for an Answer (declined when no lane).
  void Admit(Listener* l, int fd, const SocketAddress& peer, ShmRegion* region, bool answer_due);
  // A lane for `c` over `region` (taken over); false when it cannot be made (region unmapped).
  bool StartLane(Conn* c, const ShmRegion& region, bool connector);
  // Takes the lane's published input while the connection reads; the end after the FIN.
  void HarvestLane(Conn* c);
  void ForgetHandshake(ShmHandshake* h);
  void Settle(ShmHandshake* h);  // HandshakeDone's work
  static void HandshakeClosed(Reactor* r);  // a handshake's poll closed at teardown
  void EmitFreedSlabs();
  void ReleaseSlot(uint32_t slot);
  Conn* AddConn(int fd, const ConnOptions& opts, bool connecting, IoBackend* io);
  void LetGoOfMemory(Conn* c);
  void FreeConn(Conn* c);
  // A connection or listener started (+1) or stopped (-1) keeping the loop alive: held_ changes.
  void AdjustHold(int change);
  void MarkDirty(Conn* c);
  void Emit(EventType type, int32_t id, int32_t a = 0, int32_t b = 0, int32_t c = 0);
  uint64_t Now() const { return uv_now(loop_); }

  ReactorHost* host_;
  uv_loop_t* loop_;
  SlabPool pool_;
  ReactorStats stats_;
  BackendChoice preferred_ = BackendChoice::kIoUring;  // what kAuto means
  std::unique_ptr<IoBackend> epoll_;
  std::unique_ptr<IoBackend> uring_;
  bool uring_refused_ = false;       // the io_uring probe failed: kIoUring means epoll
  PendingBackend handshaking_;       // the backend of connections whose shm handshake runs
  std::unordered_set<ShmHandshake*> handshakes_;
  uint32_t lane_count_ = 0;

  uv_poll_t epoll_handle_;
  uv_poll_t uring_handle_;
  uv_prepare_t prepare_handle_;
  uv_idle_t idle_handle_;  // a pump that stopped with work left goes on without the loop blocking
  uv_timer_t timer_handle_;
  uv_poll_t wake_handle_;  // an eventfd: a callback in the loop's next poll phase (held ends)
  int wake_fd_ = -1;
  int open_handles_ = 0;  // loop handles not yet closed (teardown waits for them)
  void (*closed_)(void*) = nullptr;  // Close()'s callback
  void* closed_arg_ = nullptr;

  Event* events_;                    // the shared records (kMaxBatch)
  std::vector<Event> pending_;       // records not yet handed to JS
  std::vector<Event> dispatching_;   // the records being handed over (kept to reuse its memory)

  std::vector<Conn*> conns_;         // by slot; nullptr when free
  std::vector<uint32_t> generations_;
  std::vector<uint32_t> free_slots_;
  std::unordered_set<Conn*> orphans_;  // closed and seen by JS, still used by the backend
  std::vector<Listener*> listeners_;
  std::unordered_set<Listener*> closed_listeners_;  // closed, still used by the backend
  std::vector<uint64_t> dirty_;      // (generation << 32 | slot) of connections with output
  std::vector<uint64_t> flushing_;   // the list being flushed (kept to reuse its memory)
  std::vector<uint64_t> held_ends_;  // (generation << 32 | slot) of connections with end_held
  uint64_t pump_seq_ = 0;            // pumps run so far
  std::vector<int32_t> freed_slabs_; // slabs a sweep let go of (kept to reuse its memory)
  uint32_t conn_count_ = 0;
  uint32_t listener_count_ = 0;
  uint32_t held_ = 0;                // open listeners and connections that keep the loop alive
  uint32_t tick_ms_ = 0;             // the timer's period now; 0 when stopped

  bool pumping_ = false;
  bool prepare_active_ = false;
  bool idle_active_ = false;
  bool wake_armed_ = false;
  bool loop_ref_ = true;
};

}  // namespace ringpoll
