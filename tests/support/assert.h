// The assertion macros of every test binary. Each takes a Status, a
// Result<T>, or the return value of a system call (an integer, -1 with errno
// on failure):
//
//   ASSERT_OK(expr) / EXPECT_OK(expr)   expr succeeded
//   EXPECT_ERRNO(expr, err)             expr failed with exactly errno `err`
//                                       (a Status/Result code, or errno after
//                                       a -1 return)
//
// On failure they print the expression and what it returned (the Status
// message, or strerror(errno)).
#pragma once

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <type_traits>

#include "common/status.h"

namespace slicefs::testing::detail {

struct Outcome {
  bool ok;
  int code;  // 0 when ok
  std::string text;
};

inline Outcome Check(const Status& s) { return {s.ok(), s.code(), s.ToString()}; }
template <class T>
Outcome Check(const Result<T>& r) {
  if (r.has_value()) return {true, 0, "OK"};
  return {false, r.error().code(), r.error().ToString()};
}
// A system call's return value: errno is read at once, before anything else
// can change it.
template <class T>
  requires std::is_integral_v<T>
Outcome Check(T v) {
  const int e = errno;
  if (v != -1) return {true, 0, "OK (" + std::to_string(v) + ")"};
  return {false, e, std::string("-1, errno ") + std::strerror(e)};
}

}  // namespace slicefs::testing::detail

// Written as if/else rather than do/while so that a message can be streamed
// after them, as after gtest's own macros: EXPECT_OK(x) << "round " << i;
#define SLICEFS_CHECK_OK_(kind, expr)                                              \
  if (auto _sf_o = ::slicefs::testing::detail::Check((expr)); false) {            \
  } else                                                                           \
    kind##_TRUE(_sf_o.ok) << #expr << " -> " << _sf_o.text << " "
#define ASSERT_OK(expr) SLICEFS_CHECK_OK_(ASSERT, expr)
#define EXPECT_OK(expr) SLICEFS_CHECK_OK_(EXPECT, expr)
#define EXPECT_ERRNO(expr, err)                                                            \
  if (auto _sf_o = (errno = 0, ::slicefs::testing::detail::Check((expr))); false) {       \
  } else                                                                                   \
    EXPECT_EQ(_sf_o.code, (err)) << #expr << " -> " << _sf_o.text << ", expected "        \
                                 << std::strerror(err) << " "
