// Pieces every serving process shares (the mount, and the network services
// in src/service/): logging setup, the data-layer metrics, the host name.
//
// Threading: call SetupLogging and Register/UnregisterDataMetrics from the
// main thread, before serving starts / after it stopped.
// Errors: SetupLogging throws CommandError (bad level, unopenable file).
#pragma once

#include <string>

#include "vfs/vfs.h"

namespace slicefs::cli {

// --log-level (trace, debug, info, warn, error, off; -v on the command line
// still wins) and --log FILE (rotated at 64 MiB, 4 files kept; empty: the
// default logger on stderr).
void SetupLogging(const std::string& logFile, const std::string& logLevel);

// The data-layer and volume gauges/counters of `vfs` (buffer, uploads, cache
// hits, usage, open handles) into the global metrics registry, read at
// scrape time. Unregister before the volume goes away.
void RegisterDataMetrics(Vfs& vfs);
void UnregisterDataMetrics();

// gethostname(2), "" on error.
std::string Hostname();

}  // namespace slicefs::cli
