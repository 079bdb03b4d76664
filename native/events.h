// The batch the reactor hands to JS after each wake-up: records of kEventInts int32 values,
// [type, id, a, b, c], written into one preallocated Int32Array that JS reads in place.
// lib/native.ts reads these constants from the binding, so this file is their only definition.
#pragma once

#include <cstdint>

namespace ringpoll {

enum EventType : int32_t {
  kEventAccept = 1,   // id: new connection, a: listener id
  kEventConnect = 2,  // id: the connection that connect() started is established
  kEventData = 3,     // id, a: chunk, b: offset in chunk, c: length; bytes appended to the input
  kEventEnd = 4,      // id: the peer sent FIN
  kEventDrain = 5,    // id: output fell below the high-water mark after a write said false
  kEventClose = 6,    // id, a: CloseReason, b: errno (0 if none), c: bytes of output not sent
  kEventSlab = 7,     // a: a slab index the pool has let go of; JS drops its views of it
};

enum CloseReason : int32_t {
  kCloseLocal = 0,    // close() from JS
  kClosePeer = 1,     // orderly: the peer's FIN (and ours, if half-open)
  kCloseError = 2,    // a socket error seen reading (or connecting); errno says which
  kCloseTimeout = 3,  // idle or connect timeout
  kCloseWriteError = 4,  // a socket error seen sending; errno says which
};

struct Event {
  int32_t type, id, a, b, c;
};
constexpr int kEventInts = sizeof(Event) / sizeof(int32_t);
static_assert(kEventInts == 5, "JS reads records of five int32 values");

}  // namespace ringpoll
