/* The hello-world responder shared by the C reference (C) and the Node floor (C++): requests are
 * counted by their "\r\n\r\n" terminator across reads, and each is answered with one response. */
#ifndef RINGPOLL_BENCH_HTTP_HELLO_H
#define RINGPOLL_BENCH_HTTP_HELLO_H

#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static const char kHelloResponse[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nhello world\n";
#define HELLO_RESPONSE_LEN (sizeof kHelloResponse - 1)

/* The requests that end in buf[0..n). *matched is how many bytes of a terminator ended the
 * previous read (0 at a connection's start). */
static inline int count_requests(unsigned* matched, const char* buf, ssize_t n) {
  static const char kEnd[] = "\r\n\r\n";
  int count = 0;
  unsigned m = *matched;
  for (ssize_t i = 0; i < n; i++) {
    if (buf[i] == kEnd[m]) {
      if (++m == 4) {
        count++;
        m = 0;
      }
    } else {
      m = buf[i] == '\r' ? 1 : 0;
    }
  }
  *matched = m;
  return count;
}

/* Answers `requests` requests on fd, as few writes as `out` (of `size` bytes) allows. */
static inline void write_responses(int fd, char* out, size_t size, int requests) {
  size_t used = 0;
  while (requests > 0) {
    for (; requests > 0 && used + HELLO_RESPONSE_LEN <= size; requests--) {
      memcpy(out + used, kHelloResponse, HELLO_RESPONSE_LEN);
      used += HELLO_RESPONSE_LEN;
    }
    if (write(fd, out, used) < 0) return; /* the bench's clients always read: no queueing */
    used = 0;
  }
}

#endif
