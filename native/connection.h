// A connection's state inside the reactor. Its slot index is the id JS knows it by.
#pragma once

#include <cstdint>
#include <memory>

#include "conn_life.h"
#include "link_buffer.h"
#include "socket_util.h"

namespace ringpoll {

class IoBackend;
class LaneSink;
class ShmHandshake;
class ShmLane;

// What carries a connection's bytes; JS reads it from the ACCEPT or CONNECT record.
enum Transport : int32_t { kTransportTcp = 0, kTransportUnix = 1, kTransportShm = 2 };

// The backend a server or client asked for; kAuto means the thread's default.
enum class BackendChoice : uint8_t { kAuto, kEpoll, kIoUring };

struct ConnOptions {
  bool no_delay = true;
  bool allow_half_open = false;
  uint32_t high_water_mark = 1 << 20;
  uint32_t max_input = 4 << 20;
  uint32_t idle_timeout_ms = 0;
  BackendChoice backend = BackendChoice::kAuto;
  bool shm = false;  // Unix sockets only: negotiate a shm lane (shm_handshake.h)
};

struct Conn {
  Conn(SlabPool* pool, uint32_t slot, int fd, const ConnOptions& opts, bool connecting);
  ~Conn();

  // Bytes of input the connection may take in now: none while paused or at maxInput.
  size_t InputRoom() const {
    return paused || in.length() >= opts.max_input ? 0 : opts.max_input - in.length();
  }
  bool Reading() const { return !life.peer_ended() && InputRoom() > 0; }
  // Output queued and not yet taken by the kernel or the peer: the socket's and the lane's.
  size_t OutputLength() const;

  uint32_t slot;
  int fd;
  ConnLife life;               // the lifetime rule (conn_life.h)
  ConnOptions opts;
  LinkBuffer in;
  LinkBuffer out;
  SocketAddress peer;

  IoBackend* io = nullptr;     // the backend doing this connection's I/O
  Transport transport = kTransportTcp;
  // A shm connection: its socket carries only frames; the lane has the chains' other half.
  std::unique_ptr<LaneSink> lane_sink;
  std::unique_ptr<ShmLane> lane;     // destroyed before lane_sink (declared after it)
  ShmHandshake* handshake = nullptr; // the connector's negotiation, while it runs
  bool lane_end = false;       // the peer's FIN came: END once the lane's ring is harvested

  bool paused = false;         // pause() from JS
  bool need_drain = false;     // a write returned false; report when below the high-water mark
  bool dirty = false;          // in the reactor's flush list
  uint64_t data_pump = 0;      // the reactor's pump that last received input for it
  uint64_t last_active = 0;    // loop time (ms) of the last read or write
  uint64_t deadline = 0;       // connect timeout (loop time, ms); 0 = none
};

}  // namespace ringpoll
