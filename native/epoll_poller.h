// The readiness poller: one epoll instance, level-triggered. Its fd is what Node's loop watches.
#pragma once

#include <sys/epoll.h>

#include <cstdint>

namespace ringpoll {

class EpollPoller {
 public:
  static constexpr int kMaxEvents = 1024;

  EpollPoller();
  ~EpollPoller();
  EpollPoller(const EpollPoller&) = delete;
  EpollPoller& operator=(const EpollPoller&) = delete;

  // -errno when epoll_create1 failed.
  int fd() const { return fd_; }
  int Add(int fd, uint32_t events, uint64_t token);
  int Modify(int fd, uint32_t events, uint64_t token);
  void Remove(int fd);
  // Ready events, without waiting; 0 when none (or on error).
  int Poll();
  const epoll_event& event(int i) const { return events_[i]; }

 private:
  int fd_;
  epoll_event events_[kMaxEvents];
};

}  // namespace ringpoll
