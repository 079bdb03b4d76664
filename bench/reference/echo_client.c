// The load client of the echo and writev scenarios, the same program against every server:
// <connections> TCP connections to 127.0.0.1:<port>, each sending a message of <request> bytes and
// waiting for <response> bytes back before sending the next. One thread, level-triggered epoll.
// After <warmup> seconds it prints {"event":"start"}, measures for <seconds> seconds, prints the
// figures as one JSON line, and exits (closing every connection) when its stdin closes: the bench
// reads the server's CPU time between the two lines, before the connections close.
//
// Usage: echo_client <port> <connections> <request bytes> <response bytes> <seconds> <warmup>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
  int fd;
  size_t sent;      // bytes of the current request written so far
  size_t received;  // bytes of the current response read so far
  uint64_t started; // ns, when the current request began
  int writing;      // EPOLLOUT is armed
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fail(const char* what) {
  fprintf(stderr, "echo_client: %s: %s\n", what, strerror(errno));
  exit(1);
}

// Latencies of the measured interval, in µs.
static uint32_t* latencies;
static size_t latency_count, latency_capacity;

static void record(uint64_t ns) {
  if (latency_count == latency_capacity) {
    latency_capacity = latency_capacity ? latency_capacity * 2 : 1 << 16;
    latencies = realloc(latencies, latency_capacity * sizeof *latencies);
    if (!latencies) fail("realloc");
  }
  latencies[latency_count++] = (uint32_t)(ns / 1000);
}

static int compare(const void* a, const void* b) {
  const uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
  return (x > y) - (x < y);
}

static double percentile(double p) {
  if (latency_count == 0) return 0;
  size_t rank = (size_t)(p / 100 * (double)latency_count + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > latency_count) rank = latency_count;
  return latencies[rank - 1] / 1000.0;  // ms
}

static int ep;
static char* request;
static size_t request_size, response_size;

static void arm(struct conn* c, int writing) {
  if (c->writing == writing) return;
  struct epoll_event ev = {.events = EPOLLIN | (writing ? EPOLLOUT : 0), .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) fail("epoll_ctl");
  c->writing = writing;
}

// Writes what is left of the current request; arms EPOLLOUT if the socket is full.
static void send_rest(struct conn* c) {
  while (c->sent < request_size) {
    const ssize_t n = write(c->fd, request + c->sent, request_size - c->sent);
    if (n < 0) {
      if (errno == EAGAIN) break;
      fail("write");
    }
    c->sent += (size_t)n;
  }
  arm(c, c->sent < request_size);
}

static void begin(struct conn* c) {
  c->sent = 0;
  c->received = 0;
  c->started = now_ns();
  send_rest(c);
}

int main(int argc, char** argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: echo_client <port> <connections> <request bytes> <response bytes> <seconds> <warmup>\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const int port = atoi(argv[1]);
  const int count = atoi(argv[2]);
  request_size = (size_t)atol(argv[3]);
  response_size = (size_t)atol(argv[4]);
  const double seconds = atof(argv[5]);
  const double warmup = atof(argv[6]);
  if (port <= 0 || count <= 0 || request_size == 0 || response_size == 0 || seconds <= 0 || warmup < 0) {
    fprintf(stderr, "echo_client: bad arguments\n");
    return 2;
  }
  request = malloc(request_size);
  for (size_t i = 0; i < request_size; i++) request[i] = (char)('a' + i % 26);
  static char in[1 << 16];

  ep = epoll_create1(EPOLL_CLOEXEC);
  struct conn* conns = calloc((size_t)count, sizeof *conns);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int one = 1;
  for (int i = 0; i < count; i++) {
    // Blocking connects: on loopback each completes at once, and the load starts only when all did.
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) fail("connect");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0) fail("fcntl");
    conns[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl");
  }
  for (int i = 0; i < count; i++) begin(&conns[i]);

  const uint64_t start = now_ns() + (uint64_t)(warmup * 1e9);
  const uint64_t end = start + (uint64_t)(seconds * 1e9);
  int measuring = 0;
  uint64_t messages = 0;
  static struct epoll_event events[1024];
  for (;;) {
    const uint64_t t = now_ns();
    if (!measuring && t >= start) {
      measuring = 1;
      printf("{\"event\":\"start\"}\n");
      fflush(stdout);
    }
    if (t >= end) break;
    const int n = epoll_wait(ep, events, 1024, 10);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      struct conn* c = events[i].data.ptr;
      if (events[i].events & EPOLLOUT) send_rest(c);
      if (!(events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      const ssize_t r = read(c->fd, in, sizeof in);
      if (r < 0 && errno == EAGAIN) continue;
      if (r <= 0) {
        fprintf(stderr, "echo_client: the server closed a connection (%s)\n", r < 0 ? strerror(errno) : "EOF");
        return 1;
      }
      c->received += (size_t)r;
      if (c->received > response_size) {
        fprintf(stderr, "echo_client: %zu bytes answered a request that wants %zu\n", c->received, response_size);
        return 1;
      }
      if (c->received < response_size) continue;
      const uint64_t done = now_ns();
      if (measuring && c->started >= start) {
        messages++;
        record(done - c->started);
      }
      begin(c);
    }
  }
  const double elapsed = (double)(now_ns() - start) / 1e9;
  qsort(latencies, latency_count, sizeof *latencies, compare);
  printf("{\"messages\":%llu,\"seconds\":%.3f,\"messagesPerSecond\":%.1f,\"p50\":%.3f,\"p99\":%.3f}\n",
         (unsigned long long)messages, elapsed, (double)messages / elapsed, percentile(50), percentile(99));
  fflush(stdout);
  while (read(0, in, sizeof in) > 0) {
  }
  return 0;
}
