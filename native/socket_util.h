// Socket set-up and addresses: the small syscall wrappers the reactor and the binding share.
// Every function returns 0 (or an fd) on success and -errno on failure; none throws.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace ringpoll {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t len = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
};

// An IPv4 or IPv6 literal and a port (0..65535); -EINVAL for anything else.
int MakeInetAddress(const std::string& host, int port, SocketAddress* out);
// A Unix socket path; -ENAMETOOLONG when it does not fit sun_path.
int MakeUnixAddress(const std::string& path, SocketAddress* out);

// A bound, listening, non-blocking socket.
int OpenListener(const SocketAddress& addr, int backlog, bool reuse_port, bool ipv6_only);
// A non-blocking socket with connect() started; *in_progress is set when it has not finished.
int OpenConnection(const SocketAddress& addr, bool* in_progress);

// Out of descriptors on accept (EMFILE/ENFILE), a listener's pending connections are accepted and
// closed at once with the help of a descriptor kept spare for the purpose, so that their peers see
// a close instead of hanging in the backlog (libuv does the same). One spare serves the process.
// ReserveSpareFd opens it if it is not open. ShedBacklog returns how many connections it closed, or
// -1 when it could not drain the backlog (no spare, or descriptors still short): wait and retry.
void ReserveSpareFd();
int ShedBacklog(int listen_fd, uint32_t budget);

int SetNoDelay(int fd, bool on);
// SO_LINGER with a zero timeout: close() then sends RST and drops what is queued.
int SetResetOnClose(int fd);
int SetKeepAlive(int fd, bool on, int idle_seconds);
// The pending error of a socket (SO_ERROR), as a positive errno or 0.
int PendingError(int fd);
int LocalAddress(int fd, SocketAddress* out);
int PeerAddress(int fd, SocketAddress* out);

}  // namespace ringpoll
