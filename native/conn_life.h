// A connection's life: the one place that says what state it is in, when it closes, when its
// memory may go and whether it keeps the event loop alive. The reactor and the backends report
// events to it and ask it questions; it does no I/O and owns no memory.
//
// The rule:
//
//   connecting ──connected──▶ open ──peer's FIN or our FIN──▶ half-closed ──▶ closing
//        │                     │                                   │             │
//        └─────────────────────┴─── close: error, timeout, ────────┴─────────────┘
//                                    close()/reset() from JS, or closing's turn
//                                                  │
//                                                  ▼
//                   closed-awaiting-JS ──JS has seen the close──▶ freed
//                                                  │
//                                                  └─ a backend operation still uses the memory ─▶
//                     orphaned-awaiting-backend ──the backend's last operation has finished──▶ freed
//
// - half-closed: one direction is shut. The peer's FIN reaches JS as an END record after every DATA
//   record before it; when input arrived in the same pump it is held to the loop's next poll phase
//   (see Reactor::PeerEnded). Our FIN goes when end() was called and the output has drained.
// - closing: JS has handed the peer's FIN to the application (EndSeen). The connection closes as
//   soon as its output has drained, and with allowHalfOpen only after our own FIN has gone too.
// - closed-awaiting-JS: the fd is closed and the close record is queued, once whatever the path
//   (Close() returns false the second time). The slot stays, so JS can never name a reused one,
//   and the input chain stays, so onClose may still read it. The output chain goes as soon as no
//   send uses it.
// - orphaned-awaiting-backend: JS has forgotten the id, the input chain is gone, but a backend
//   operation still names the connection's memory. It keeps its slot until the backend is done.
// - the loop is held while connecting, and while open (or half-closed, or closing) unless unref()'d.
#pragma once

#include <cstdint>

namespace ringpoll {

class ConnLife {
 public:
  enum class Phase : uint8_t { kConnecting, kOpen, kClosed, kOrphaned };

  explicit ConnLife(bool connecting) : phase_(connecting ? Phase::kConnecting : Phase::kOpen) {}

  // ---- questions ----
  bool connecting() const { return phase_ == Phase::kConnecting; }
  // Open, half-closed or closing: the fd is open and connected.
  bool open() const { return phase_ == Phase::kOpen; }
  // The fd is closed (awaiting JS, or orphaned).
  bool closed() const { return phase_ == Phase::kClosed || phase_ == Phase::kOrphaned; }
  // JS has seen the close; only a backend operation keeps the connection.
  bool orphaned() const { return phase_ == Phase::kOrphaned; }
  bool peer_ended() const { return peer_ended_; }
  bool end_held() const { return end_held_; }
  // JS has handed the peer's FIN to the application.
  bool end_seen() const { return end_seen_; }
  bool HoldsLoop() const { return connecting() || (open() && !unref_); }
  // With the output drained: our FIN is due now.
  bool ShutdownDue() const { return write_ended_ && !shutdown_done_; }
  // With the output drained (and ShutdownDue acted on): the close is due now.
  bool CloseDue(bool allow_half_open) const { return end_seen_ && (!allow_half_open || shutdown_done_); }
  // Whether the close record counts the output not sent (reset() drops it silently).
  bool ReportsUnsent() const { return !output_dropped_; }

  // ---- events ---- (those that may change HoldsLoop() return the change: -1, 0 or +1)
  int Connected() { return Hold([this] { phase_ = Phase::kOpen; }); }
  int SetRef(bool ref) { return Hold([this, ref] { unref_ = !ref; }); }
  // The peer's FIN; `hold` keeps it from JS until ReleaseEnd.
  void PeerEnded(bool hold) {
    peer_ended_ = true;
    end_held_ = hold;
  }
  // True when a held end is to go to JS now.
  bool ReleaseEnd() {
    const bool release = end_held_ && !closed();
    end_held_ = false;
    return release;
  }
  // JS has handed the FIN to the application; false when that changes nothing.
  bool EndSeen() {
    if (!open() || !peer_ended_) return false;
    end_seen_ = true;
    return true;
  }
  void WriteEnded() { write_ended_ = true; }
  void ShutdownSent() { shutdown_done_ = true; }
  void DropOutput() { output_dropped_ = true; }
  // → closed-awaiting-JS. False (and nothing changes) when already closed. *end_first: a held end
  // goes to JS before the close. *hold: the change of HoldsLoop().
  bool Close(bool* end_first, int* hold) {
    if (closed()) return false;
    *end_first = ReleaseEnd();
    *hold = Hold([this] { phase_ = Phase::kClosed; });
    return true;
  }
  // JS has been handed the close record. True when the connection may be freed now; else it is
  // orphaned until BackendDone.
  bool JsSawClose(bool backend_busy) {
    if (phase_ != Phase::kClosed) return false;
    if (!backend_busy) return true;
    phase_ = Phase::kOrphaned;
    return false;
  }
  // The backend's last operation on a closed connection has finished: true when it may be freed.
  bool BackendDone() const { return orphaned(); }

 private:
  template <typename F>
  int Hold(F change) {
    const bool before = HoldsLoop();
    change();
    return static_cast<int>(HoldsLoop()) - static_cast<int>(before);
  }

  Phase phase_;
  bool peer_ended_ = false;      // FIN received
  bool end_held_ = false;        // ... and waiting for the loop's next poll phase
  bool end_seen_ = false;        // ... and JS has handed it to the application
  bool write_ended_ = false;     // end() from JS: FIN after the output
  bool shutdown_done_ = false;   // our FIN is sent
  bool output_dropped_ = false;  // reset(): output still queued is thrown away, not reported
  bool unref_ = false;           // unref() from JS
};

}  // namespace ringpoll
