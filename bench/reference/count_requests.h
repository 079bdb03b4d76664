/* Counts the requests that end in buf[0..n) by their "\r\n\r\n" terminator, across reads:
 * *matched is how many bytes of a terminator ended the previous read (0 at a connection's start).
 * Shared by the C reference (C) and the Node floor (C++). */
#ifndef RINGPOLL_BENCH_COUNT_REQUESTS_H
#define RINGPOLL_BENCH_COUNT_REQUESTS_H

#include <sys/types.h>

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

#endif
