// The reactor: one per JS thread, driven from Node's own loop.
//
// Node's loop watches the epoll fd with a uv_poll_t. On a wake-up the reactor drains every ready
// event (accepts, reads into input chains, peer closes) into one batch, hands the batch to JS in
// ONE call, then flushes every connection with output: one sendmsg per connection. Writes made
// outside a batch (a timer, a promise) are flushed by a uv_prepare_t before the loop next waits.
#pragma once

#include <node_api.h>
#include <uv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "connection.h"
#include "epoll_poller.h"
#include "events.h"
#include "slab.h"

namespace ringpoll {

struct Listener {
  int fd;
  uint32_t id;
  ConnOptions opts;   // given to every accepted connection
  std::string path;   // a Unix socket's path, unlinked on close
  SocketAddress addr; // as bound (the real port after port 0)
  bool paused = false;  // accept hit EMFILE/ENFILE; retried by the timer
};

struct ReactorStats {
  uint64_t bytes_read = 0, bytes_written = 0, read_calls = 0, write_calls = 0, accepts = 0;
  uint64_t wakeups = 0, dispatches = 0;  // loop wake-ups handled, calls into JS
};

class Reactor {
 public:
  static constexpr uint32_t kMaxBatch = 4096;       // records per call into JS
  static constexpr uint32_t kCopyThreshold = 8192;  // smaller writes are copied, larger linked

  // nullptr (with a JS exception pending) when the epoll fd or the loop handles cannot be made.
  static Reactor* Create(napi_env env, napi_value dispatch);
  ~Reactor();

  napi_value events_array() const;  // the shared Int32Array of records
  SlabPool& pool() { return pool_; }
  const ReactorStats& stats() const { return stats_; }
  // Connections not closed yet (a closed one may wait for JS to see its close record).
  uint32_t connection_count() const { return conn_count_; }
  uint32_t listener_count() const { return listener_count_; }

  // Listeners. Listen returns the listener id or -errno.
  int Listen(const SocketAddress& addr, int backlog, bool reuse_port, bool ipv6_only,
             const std::string& path, const ConnOptions& opts);
  Listener* FindListener(uint32_t id);
  void CloseListener(Listener* l);

  // Connections. Connect returns the connection id or -errno; the outcome arrives as a
  // kEventConnect or a kEventClose record.
  int Connect(const SocketAddress& addr, const ConnOptions& opts, uint32_t timeout_ms);
  Conn* FindConn(uint32_t id);
  // Queues n (<= kChunkSize) bytes of output memory for JS to fill; nullptr when out of memory.
  char* Reserve(Conn* c, uint32_t n, int32_t* chunk, uint32_t* offset);
  // Queues a JS buffer's bytes: copied when small, else linked in place. False when out of memory.
  bool Write(Conn* c, napi_value buffer, char* data, size_t len);
  void Flush(Conn* c);
  void End(Conn* c);
  void Close(Conn* c);
  void Release(Conn* c, size_t n);
  void SetPaused(Conn* c, bool paused);
  void SetIdleTimeout(Conn* c, uint32_t ms);

 private:
  Reactor(napi_env env);
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnPrepare(uv_prepare_t* handle);
  static void OnTimer(uv_timer_t* handle);
  static void OnCleanup(napi_async_cleanup_hook_handle handle, void* arg);

  // One turn: poll (optionally), then dispatch and flush until nothing is left.
  void Pump(bool poll);
  void PollOnce();
  void Dispatch();
  void FlushDirty();
  void Schedule();
  void UpdateLoopRef();
  void Sweep();
  void UpdateTimer(uint32_t ms);

  void HandleListener(Listener* l);
  void HandleConn(Conn* c, uint32_t events);
  void FinishConnect(Conn* c);
  void ReadConn(Conn* c, bool to_eof);
  void FlushConn(Conn* c);
  void CloseConn(Conn* c, CloseReason reason, int err);
  void ReleaseSlot(uint32_t slot);
  Conn* AddConn(int fd, const ConnOptions& opts, ConnState state);
  void UpdateInterest(Conn* c);
  void MarkDirty(Conn* c);
  void Emit(EventType type, int32_t id, int32_t a = 0, int32_t b = 0, int32_t c = 0);
  void EmitData(Conn* c, int32_t chunk, uint32_t offset, uint32_t len);
  uint64_t Now() const { return uv_now(loop_); }

  napi_env env_;
  uv_loop_t* loop_ = nullptr;
  EpollPoller poller_;
  SlabPool pool_;
  ReactorStats stats_;

  uv_poll_t poll_handle_;
  uv_prepare_t prepare_handle_;
  uv_timer_t timer_handle_;
  int open_handles_ = 0;  // loop handles not yet closed (teardown waits for them)
  napi_async_cleanup_hook_handle cleanup_ = nullptr;

  napi_ref dispatch_ = nullptr;
  napi_async_context async_context_ = nullptr;
  napi_ref events_ref_ = nullptr;
  Event* events_ = nullptr;          // the shared records (kMaxBatch)
  std::vector<Event> pending_;       // records not yet handed to JS
  std::vector<Event> dispatching_;   // the records being handed over (kept to reuse its memory)

  std::vector<Conn*> conns_;         // by slot; nullptr when free
  std::vector<uint32_t> generations_;
  std::vector<uint32_t> free_slots_;
  std::vector<Listener*> listeners_;
  std::vector<uint64_t> dirty_;      // (generation << 32 | slot) of connections with output
  std::vector<uint64_t> flushing_;   // the list being flushed (kept to reuse its memory)
  uint32_t conn_count_ = 0;
  uint32_t listener_count_ = 0;
  uint32_t tick_ms_ = 0;             // the timer's period now; 0 when stopped

  bool pumping_ = false;
  bool prepare_active_ = false;
  bool loop_ref_ = true;
};

}  // namespace ringpoll
