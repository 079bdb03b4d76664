// How a reactor does its I/O. The reactor keeps every connection's shared state (its ConnLife, its
// chains), the batch for JS and the timers; a backend moves the bytes, keeps what only it needs in
// records of its own, and reports what happened through the reactor's "called by the backends"
// methods. Two exist: EpollBackend (readiness, then read/writev calls) and
// UringBackend (io_uring: multishot accept and receive, one send per connection per batch).
// Each listener and connection belongs to one backend for its whole life.
#pragma once

namespace ringpoll {

struct Conn;
struct Listener;

class IoBackend {
 public:
  virtual ~IoBackend() = default;

  virtual const char* name() const = 0;
  // The fd that Node's loop watches for this backend (readable when there is work).
  virtual int fd() const = 0;

  // Starts accepting; 0 or -errno.
  virtual int AddListener(Listener* l) = 0;
  // Accepts again after the reactor paused the listener (EMFILE and the like).
  virtual void ResumeListener(Listener* l) = 0;
  // Stops accepting, before the reactor closes the listener's fd. While operations are still in
  // flight (Busy) the listener is kept; the backend calls Reactor::ListenerDone after.
  virtual void RemoveListener(Listener* l) = 0;
  // An operation in flight still uses the listener.
  virtual bool Busy(const Listener*) const { return false; }

  // Starts watching a new connection (connecting or open); 0 or -errno.
  virtual int AddConn(Conn* c) = 0;
  // The connection's state changed (reading, paused, connected): adjust what is watched.
  virtual void Update(Conn* c) = 0;
  // Output is queued: send it (now, or with the batch).
  virtual void Send(Conn* c) = 0;
  // flush() from JS: the next Send tries the kernel even if it pushed back before.
  virtual void RetryOutput(Conn*) {}
  // close() follows: try to send the queued output once, now, without blocking.
  virtual void SendNow(Conn* c) = 0;
  // The connection is closing, before its fd is closed: stop everything in flight. While
  // operations still use its memory (Busy) the connection is kept; the backend calls
  // Reactor::ConnDone once they have finished.
  virtual void RemoveConn(Conn* c) = 0;
  // An operation in flight still uses the connection's memory (its output chain, its address).
  virtual bool Busy(const Conn*) const { return false; }

  // Handles everything ready now (the loop woke up for fd()).
  virtual void Poll() = 0;
  // The end of a pump round: hands the round's queued work to the kernel and handles what that
  // completed at once (which may give the reactor more to do).
  virtual void Submit() = 0;
  // Work is queued for the next Submit().
  virtual bool Queued() const { return false; }

  // Slab chunks the backend holds for input that has not arrived yet (io_uring's buffer ring).
  virtual uint32_t ReservedChunks() const { return 0; }
  // Receive buffers given to the kernel (io_uring's buffer ring, which grows on demand).
  virtual uint32_t ProvidedBuffers() const { return 0; }
};

}  // namespace ringpoll
