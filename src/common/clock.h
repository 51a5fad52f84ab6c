// Time, in the units slicefs stores and compares: wall-clock nanoseconds
// since the Unix epoch (file times, session expiry) and monotonic
// milliseconds (timeouts, idle detection). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace slicefs {

inline int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace slicefs
