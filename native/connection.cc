#include "connection.h"

#include <sys/epoll.h>

namespace ringpoll {

uint32_t Conn::DesiredEvents() const {
  if (state == ConnState::kConnecting) return EPOLLOUT;
  if (state == ConnState::kClosed) return 0;
  uint32_t ev = 0;
  // After the peer's FIN, EPOLLIN and EPOLLRDHUP stay set for good under level triggering, so
  // both are dropped; EPOLLHUP and EPOLLERR are always reported.
  if (!peer_ended) ev |= EPOLLRDHUP;
  if (Reading()) ev |= EPOLLIN;
  if (want_write) ev |= EPOLLOUT;
  return ev;
}

}  // namespace ringpoll
