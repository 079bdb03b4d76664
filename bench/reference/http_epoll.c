// The C reference for the HTTP hello-world bench: a minimal keep-alive HTTP/1.1 server on plain
// level-triggered epoll, doing only what the ringpoll and node:net responders do (count the
// requests in what arrived, answer each with the same fixed response, one write per read).
// Usage: http_epoll <port>   (prints "listening <port>"; port 0 picks one; exits on SIGTERM)
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

#include "http_hello.h"

#define MAX_FDS 65536

// Per connection: how many bytes of a possible "\r\n\r\n" ended the previous read.
static unsigned matched[MAX_FDS];

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

  const int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  static struct epoll_event events[1024];
  static char in[65536];
  static char out[65536];
  for (;;) {
    const int n = epoll_wait(ep, events, 1024, -1);
    if (n < 0 && errno == EINTR) continue;
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
          matched[c] = 0;
          struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      const ssize_t r = read(fd, in, sizeof in);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        close(fd);  // also removes it from the epoll set
        continue;
      }
      const int requests = count_requests(&matched[fd], in, r);
      write_responses(fd, out, sizeof out, requests);
    }
  }
}
