#pragma once

// Assertions that no build disables. A failed assertion is a bug in reviewsim, never a
// reaction to bad input: input errors travel as values or exceptions to the command line.

#include <cstdio>
#include <cstdlib>

namespace reviewsim::detail {

[[noreturn]] inline void assertion_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "reviewsim: assertion failed: %s (%s:%d)\n", condition, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace reviewsim::detail

#define RS_ASSERT(condition)                                                   \
  do {                                                                         \
    if (!(condition)) [[unlikely]]                                             \
      ::reviewsim::detail::assertion_failed(#condition, __FILE__, __LINE__);   \
  } while (false)
