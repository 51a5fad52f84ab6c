// Status and Result: how every layer reports failure.
//
// A Status is either OK or an error carrying an errno-style code (EIO,
// ENOENT, ...), a one-line human message, and two flags:
//   retryable - the operation may succeed if repeated (throttling, timeouts,
//               5xx, a server that is restarting);
//   conflict  - a transaction lost an optimistic race; KvStore::txn retries.
// Status is a small value type; copying it is cheap. Thread-compatible.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <utility>

namespace slicefs {

class Status {
 public:
  Status() = default;  // OK
  // Lets `return Err(...)` work in functions returning Status as well as Result<T>.
  Status(std::unexpected<Status> u) : Status(std::move(u.error())) {}  // NOLINT(implicit)

  static Status OK() { return Status(); }
  // An error with an errno code (must be > 0) and a message.
  static Status Error(int code, std::string msg) { return Status(code, std::move(msg), false, false); }
  // An error that may go away if the operation is repeated later.
  static Status Retryable(int code, std::string msg) { return Status(code, std::move(msg), true, false); }
  // An optimistic transaction conflict (code EAGAIN, retryable).
  static Status Conflict(std::string msg = "transaction conflict") {
    return Status(EAGAIN, std::move(msg), true, true);
  }
  // Shorthands for the errnos used everywhere.
  static Status NotFound(std::string msg = "not found") { return Error(ENOENT, std::move(msg)); }
  static Status IOError(std::string msg) { return Error(EIO, std::move(msg)); }
  static Status Invalid(std::string msg) { return Error(EINVAL, std::move(msg)); }

  bool ok() const { return code_ == 0; }
  int code() const { return code_; }  // 0 when OK, else a positive errno
  bool retryable() const { return retryable_; }
  bool conflict() const { return conflict_; }
  bool is(int code) const { return code_ == code; }
  const std::string& message() const { return msg_; }
  // "OK" or "<strerror(code)>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>".
  Status WithContext(std::string_view prefix) const;

 private:
  Status(int code, std::string msg, bool retryable, bool conflict)
      : code_(code), retryable_(retryable), conflict_(conflict), msg_(std::move(msg)) {}
  int code_ = 0;
  bool retryable_ = false;
  bool conflict_ = false;
  std::string msg_;
};

// Result<T>: a value or a non-OK Status.
template <class T>
using Result = std::expected<T, Status>;

// Converts a non-OK status into the unexpected side of a Result.
inline std::unexpected<Status> Err(Status s) { return std::unexpected<Status>(std::move(s)); }
inline std::unexpected<Status> Err(int code, std::string msg) {
  return std::unexpected<Status>(Status::Error(code, std::move(msg)));
}

}  // namespace slicefs

#define SLICEFS_CONCAT_INNER(a, b) a##b
#define SLICEFS_CONCAT(a, b) SLICEFS_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function (which must return Status or
// Result<U>) if `expr` (a Status) is an error.
#define RETURN_IF_ERROR(expr)                              \
  do {                                                     \
    ::slicefs::Status _st = (expr);                        \
    if (!_st.ok()) return ::slicefs::Err(std::move(_st));  \
  } while (0)

// Evaluates `expr` (a Result<T>); on error returns its Status from the
// enclosing function (which must return Status or Result<U>), else assigns the
// value to `lhs` (which may be a declaration, e.g. `auto x`).
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(SLICEFS_CONCAT(_res_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)         \
  auto tmp = (expr);                                  \
  if (!tmp.has_value()) return ::slicefs::Err(std::move(tmp).error()); \
  lhs = std::move(tmp).value()
