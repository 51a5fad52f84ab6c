// Serves a Vfs through the kernel's FUSE interface (libfuse3 low-level API).
// The adapter is thin: each request becomes one Vfs call and one reply; it
// maps Status codes to errnos and Attrs to struct stat, and holds no state
// of its own besides a small cache of callers' supplementary groups and
// what it observes (fuse/op_trace.h: per-op metrics, the access log, the
// internal root files .stats/.accesslog/.config).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "vfs/vfs.h"

namespace slicefs {

struct FuseServerOptions {
  std::string mountpoint;
  double entryTimeout = 1.0;     // kernel cache of file names (seconds)
  double dirEntryTimeout = 1.0;  // kernel cache of directory names
  double attrTimeout = 1.0;      // kernel cache of attributes
  // Kernel cache of names that do not exist (a LOOKUP answered ENOENT);
  // 0: not cached (another mount's create is seen at once).
  double negativeEntryTimeout = 0.0;
  bool readOnly = false;
  bool debug = false;            // libfuse request tracing to stderr
  std::string fsname;            // shown as the mount's source
  std::vector<std::string> options;  // -o options passed to libfuse (allow_other, ...)
  int maxThreads = 64;
  // The kernel checks permissions (default_permissions) with the caller's
  // real credentials before slicefs checks them again with the mapped ones.
  // Off for --all-squash, where only the squash user's permissions count.
  bool kernelPermissions = true;
  // Observation (fuse/op_trace.h): per-op timing for the metrics (off:
  // not even timed), and the content of the root's .config file.
  bool opMetrics = true;
  std::string configJson = "{}";
  // Called once: OK when the mount answers requests, or the reason it failed.
  std::function<void(const Status&)> onReady;
};

// Mounts and serves until the file system is unmounted or SIGINT/SIGTERM/
// SIGHUP arrives; then unmounts (lazily) and returns. The caller flushes and
// closes the Vfs afterwards. Errors: the mount could not be created.
Status ServeFuse(Vfs* vfs, const FuseServerOptions& opts);

}  // namespace slicefs
