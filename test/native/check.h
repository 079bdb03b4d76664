// The native tests' one assertion: CHECK(cond) reports the file and line of a failure and counts
// it; each test program's main returns Failures() != 0.
#pragma once

#include <cstdio>

namespace check {

inline int& Failures() {
  static int failures = 0;
  return failures;
}

}  // namespace check

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
      ++check::Failures();                                                            \
    }                                                                                 \
  } while (0)
