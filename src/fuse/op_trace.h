// Observation of every FUSE request: per-operation metrics, the live access
// log and the internal root files (fuse/internal_files.h).
//
// InstallObserver wraps each callback of the op table (after the Add*Ops
// functions filled it): the wrapper first answers requests that concern the
// internal files, then, only if metrics are on or someone reads
// .accesslog, times the callback and records
//   slicefs_fuse_op_duration_seconds{op}  histogram (its _count: requests)
//   slicefs_fuse_op_errors_total{op}      replies with an errno
// and formats one access-log line. With metrics off and no reader the
// wrapper costs one relaxed atomic load and an indirect call.
//
// The duration is the callback's, which includes its reply (every callback
// here replies before it returns). The result comes from NoteReplyErr /
// NoteReplySize, called by the reply helpers on the request's thread.
//
// One observer per process (the mount serves one volume); it must outlive
// the session loop. Threading: thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "fuse/fuse_internal.h"

namespace slicefs::fusead {

class Observer;

struct ObserverDeleter {
  void operator()(Observer* o) const;
};
using ObserverHandle = std::unique_ptr<Observer, ObserverDeleter>;

// Wraps ops' callbacks; opts.opMetrics and opts.configJson configure it.
ObserverHandle InstallObserver(fuse_lowlevel_ops& ops, const FuseServerOptions& opts);

// The reply of the request being traced on this thread (no-op otherwise).
void NoteReplyErr(int err);
void NoteReplySize(size_t n);

// "2026.12.01 14:30:00.123456 [uid:1000,gid:1000,pid:42] mkdir (1,foo,493): OK <0.000321>"
// (the access-log line; exposed for tests and `slicefs profile`). The time
// is when the request arrived; the line is appended once it was answered,
// so lines of concurrent requests may appear out of time order.
std::string AccessLogLine(int64_t unixMicros, uint32_t uid, uint32_t gid, uint32_t pid, const char* op,
                          const std::string& args, int64_t result, bool sized, double seconds);

}  // namespace slicefs::fusead
