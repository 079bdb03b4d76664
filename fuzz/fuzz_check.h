// The fuzz targets' assertion: a failed CHECK aborts, which libFuzzer reports as a crash and keeps
// the input for (unlike the native tests' counting CHECK in test/native/check.h).
#pragma once

#include <cstdio>
#include <cstdlib>

#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); \
      abort();                                                          \
    }                                                                   \
  } while (0)
