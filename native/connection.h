// A connection's state inside the reactor. Its slot index is the id JS knows it by.
#pragma once

#include <cstdint>

#include "link_buffer.h"
#include "socket_util.h"

namespace ringpoll {

struct ConnOptions {
  bool no_delay = true;
  bool allow_half_open = false;
  uint32_t high_water_mark = 1 << 20;
  uint32_t max_input = 4 << 20;
  uint32_t idle_timeout_ms = 0;
};

enum class ConnState : uint8_t { kConnecting, kOpen, kClosed };

struct Conn {
  Conn(SlabPool* pool, uint32_t slot, int fd, const ConnOptions& opts)
      : slot(slot), fd(fd), opts(opts), in(pool), out(pool) {}

  // The epoll interest this state calls for (level-triggered).
  uint32_t DesiredEvents() const;
  bool Reading() const { return !paused && !peer_ended && in.length() < opts.max_input; }

  uint32_t slot;
  int fd;
  ConnState state = ConnState::kConnecting;
  ConnOptions opts;
  LinkBuffer in;
  LinkBuffer out;
  SocketAddress peer;

  uint32_t events = 0;         // the interest registered with epoll now
  bool paused = false;         // pause() from JS
  bool peer_ended = false;     // FIN received
  bool write_ended = false;    // end() from JS: FIN after the output
  bool shutdown_done = false;  // our FIN is sent
  bool want_write = false;     // the kernel refused output; wait for EPOLLOUT
  bool need_drain = false;     // a write returned false; report when below the high-water mark
  bool dirty = false;          // in the reactor's flush list
  uint64_t last_active = 0;    // loop time (ms) of the last read or write
  uint64_t deadline = 0;       // connect timeout (loop time, ms); 0 = none
};

}  // namespace ringpoll
