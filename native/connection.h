// A connection's state inside the reactor. Its slot index is the id JS knows it by.
#pragma once

#include <cstdint>

#include "conn_life.h"
#include "link_buffer.h"
#include "socket_util.h"

namespace ringpoll {

class IoBackend;

// The backend a server or client asked for; kAuto means the thread's default.
enum class BackendChoice : uint8_t { kAuto, kEpoll, kIoUring };

struct ConnOptions {
  bool no_delay = true;
  bool allow_half_open = false;
  uint32_t high_water_mark = 1 << 20;
  uint32_t max_input = 4 << 20;
  uint32_t idle_timeout_ms = 0;
  BackendChoice backend = BackendChoice::kAuto;
};

struct Conn {
  Conn(SlabPool* pool, uint32_t slot, int fd, const ConnOptions& opts, bool connecting)
      : slot(slot), fd(fd), life(connecting), opts(opts), in(pool), out(pool) {}

  bool Reading() const { return !paused && !life.peer_ended() && in.length() < opts.max_input; }

  uint32_t slot;
  int fd;
  ConnLife life;               // the lifetime rule (conn_life.h)
  ConnOptions opts;
  LinkBuffer in;
  LinkBuffer out;
  SocketAddress peer;

  IoBackend* io = nullptr;     // the backend doing this connection's I/O

  bool paused = false;         // pause() from JS
  bool need_drain = false;     // a write returned false; report when below the high-water mark
  bool dirty = false;          // in the reactor's flush list
  uint64_t data_pump = 0;      // the reactor's pump that last received input for it
  uint64_t last_active = 0;    // loop time (ms) of the last read or write
  uint64_t deadline = 0;       // connect timeout (loop time, ms); 0 = none
};

}  // namespace ringpoll
