#include "epoll_poller.h"

#include <errno.h>
#include <unistd.h>

namespace ringpoll {

EpollPoller::EpollPoller() : fd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (fd_ < 0) fd_ = -errno;
}

EpollPoller::~EpollPoller() {
  if (fd_ >= 0) close(fd_);
}

int EpollPoller::Add(int fd, uint32_t events, uint64_t token) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  return epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

int EpollPoller::Modify(int fd, uint32_t events, uint64_t token) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  return epoll_ctl(fd_, EPOLL_CTL_MOD, fd, &ev) == 0 ? 0 : -errno;
}

void EpollPoller::Remove(int fd) { epoll_ctl(fd_, EPOLL_CTL_DEL, fd, nullptr); }

int EpollPoller::Poll() {
  int n;
  do {
    n = epoll_wait(fd_, events_, kMaxEvents, 0);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? 0 : n;
}

}  // namespace ringpoll
