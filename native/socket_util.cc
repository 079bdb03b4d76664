#include "socket_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace ringpoll {

namespace {
std::atomic<int> spare_fd{-1};  // -1 while closed, or taken by a thread that is shedding
}  // namespace

void ReserveSpareFd() {
  if (spare_fd.load() >= 0) return;
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int none = -1;
  if (fd >= 0 && !spare_fd.compare_exchange_strong(none, fd)) close(fd);
}

int ShedBacklog(int listen_fd, uint32_t budget) {
  const int spare = spare_fd.exchange(-1);
  if (spare < 0) return -1;
  close(spare);
  int shed = 0;
  int err = 0;
  for (uint32_t i = 0; i < budget; ++i) {
    const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      err = errno;
      if (err == EINTR || err == ECONNABORTED) continue;
      break;
    }
    close(fd);
    shed++;
  }
  ReserveSpareFd();
  return err == EAGAIN || err == EWOULDBLOCK || err == 0 ? shed : -1;
}

int MakeInetAddress(const std::string& host, int port, SocketAddress* out) {
  if (port < 0 || port > 65535) return -EINVAL;
  *out = SocketAddress{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out->storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    out->len = sizeof(sockaddr_in);
    return 0;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    out->len = sizeof(sockaddr_in6);
    return 0;
  }
  return -EINVAL;
}

int MakeUnixAddress(const std::string& path, SocketAddress* out) {
  *out = SocketAddress{};
  auto* un = reinterpret_cast<sockaddr_un*>(&out->storage);
  if (path.empty() || path.size() >= sizeof(un->sun_path)) return -ENAMETOOLONG;
  if (path.find('\0') != std::string::npos) return -EINVAL;
  un->sun_family = AF_UNIX;
  memcpy(un->sun_path, path.data(), path.size());
  out->len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return 0;
}

static int OpenSocket(int family) {
  const int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return fd < 0 ? -errno : fd;
}

static int SetInt(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : -errno;
}

int OpenListener(const SocketAddress& addr, int backlog, bool reuse_port, bool ipv6_only) {
  const int fd = OpenSocket(addr.family());
  if (fd < 0) return fd;
  int err = 0;
  if (addr.family() != AF_UNIX) {
    err = SetInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (err == 0 && reuse_port) err = SetInt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    if (err == 0 && addr.family() == AF_INET6) err = SetInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, ipv6_only);
  }
  if (err == 0 && bind(fd, addr.get(), addr.len) != 0) err = -errno;
  if (err == 0 && listen(fd, backlog) != 0) err = -errno;
  if (err != 0) {
    close(fd);
    return err;
  }
  return fd;
}

int OpenConnection(const SocketAddress& addr, bool* in_progress) {
  const int fd = OpenSocket(addr.family());
  if (fd < 0) return fd;
  *in_progress = false;
  int rc;
  do {
    rc = connect(fd, addr.get(), addr.len);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return fd;
  if (errno == EINPROGRESS) {
    *in_progress = true;
    return fd;
  }
  const int err = -errno;
  close(fd);
  return err;
}

int SetNoDelay(int fd, bool on) { return SetInt(fd, IPPROTO_TCP, TCP_NODELAY, on); }

int SetResetOnClose(int fd) {
  const linger l{1, 0};
  return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0 ? 0 : -errno;
}

int SetKeepAlive(int fd, bool on, int idle_seconds) {
  int err = SetInt(fd, SOL_SOCKET, SO_KEEPALIVE, on);
  if (err == 0 && on && idle_seconds > 0) err = SetInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle_seconds);
  return err;
}

int PendingError(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

int LocalAddress(int fd, SocketAddress* out) {
  *out = SocketAddress{};
  out->len = sizeof out->storage;
  return getsockname(fd, reinterpret_cast<sockaddr*>(&out->storage), &out->len) == 0 ? 0 : -errno;
}

int PeerAddress(int fd, SocketAddress* out) {
  *out = SocketAddress{};
  out->len = sizeof out->storage;
  return getpeername(fd, reinterpret_cast<sockaddr*>(&out->storage), &out->len) == 0 ? 0 : -errno;
}

}  // namespace ringpoll
