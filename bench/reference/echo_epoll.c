// The C reference of the echo scenario: level-triggered epoll, one thread; what arrives is written
// back, and what the socket does not take at once waits in a per-connection buffer until EPOLLOUT.
// Usage: echo_epoll <port>   (prints "listening <port>"; port 0 picks one; exits on SIGTERM)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 65536

// Output the kernel did not take yet, per fd.
struct pending {
  char* data;
  size_t length, capacity;
};
static struct pending pending[MAX_FDS];
static int ep;

static void watch(int fd, int writing) {
  struct epoll_event ev = {.events = EPOLLIN | (writing ? EPOLLOUT : 0), .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void drop(int fd) {
  close(fd);  // also removes it from the epoll set
  pending[fd].length = 0;
}

// Queues bytes the socket did not take; returns 0, or -1 when out of memory.
static int queue(int fd, const char* data, size_t n) {
  struct pending* p = &pending[fd];
  if (p->length + n > p->capacity) {
    size_t capacity = p->capacity ? p->capacity : 4096;
    while (capacity < p->length + n) capacity *= 2;
    char* grown = realloc(p->data, capacity);
    if (!grown) return -1;
    p->data = grown;
    p->capacity = capacity;
  }
  memcpy(p->data + p->length, data, n);
  p->length += n;
  return 0;
}

// Writes as much of `data` as the socket takes; returns the count written, or -1 on an error.
static ssize_t write_some(int fd, const char* data, size_t n) {
  size_t done = 0;
  while (done < n) {
    const ssize_t w = write(fd, data + done, n - done);
    if (w < 0) return errno == EAGAIN ? (ssize_t)done : -1;
    done += (size_t)w;
  }
  return (ssize_t)done;
}

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  const int port = argc > 1 ? atoi(argv[1]) : 0;
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(listener, 511) != 0) {
    perror("listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(listener, (struct sockaddr*)&addr, &len);
  printf("listening %d\n", ntohs(addr.sin_port));
  fflush(stdout);

  ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  static struct epoll_event events[1024];
  static char in[65536];
  for (;;) {
    const int n = epoll_wait(ep, events, 1024, -1);
    for (int i = 0; i < n; i++) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        int c;
        while ((c = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          if (c >= MAX_FDS) {
            close(c);
            continue;
          }
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      struct pending* p = &pending[fd];
      if (events[i].events & EPOLLOUT) {
        const ssize_t w = write_some(fd, p->data, p->length);
        if (w < 0) {
          drop(fd);
          continue;
        }
        memmove(p->data, p->data + w, p->length - (size_t)w);
        p->length -= (size_t)w;
        if (p->length == 0) watch(fd, 0);
      }
      if (!(events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      const ssize_t r = read(fd, in, sizeof in);
      if (r < 0 && errno == EAGAIN) continue;
      if (r <= 0) {
        drop(fd);
        continue;
      }
      // Behind output already queued, or what the socket does not take now, waits for EPOLLOUT.
      const ssize_t w = p->length ? 0 : write_some(fd, in, (size_t)r);
      if (w < 0 || (w < r && queue(fd, in + w, (size_t)(r - w)) != 0)) {
        drop(fd);
        continue;
      }
      if (p->length) watch(fd, 1);
    }
  }
}
