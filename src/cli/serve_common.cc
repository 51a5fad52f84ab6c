// Logging, data-layer metrics and host name for serving processes (see
// serve_common.h); moved here from mount.cc unchanged.
#include "cli/serve_common.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "cli/command.h"
#include "common/metrics.h"

namespace slicefs::cli {
namespace {
constexpr size_t kLogFileBytes = 64ULL << 20;
constexpr size_t kLogFiles = 4;
}  // namespace

std::string Hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

void SetupLogging(const std::string& logFile, const std::string& logLevel) {
  auto level = spdlog::level::from_str(logLevel);
  if (level == spdlog::level::off && logLevel != "off") {
    throw CommandError("bad --log-level '" + logLevel + "' (trace, debug, info, warn, error, off)");
  }
  // -v on the command line still wins.
  if (spdlog::get_level() > spdlog::level::debug || level < spdlog::level::debug) spdlog::set_level(level);
  if (logFile.empty()) return;
  try {
    // Bounded: at most kLogFiles files of kLogFileBytes (the oldest is dropped).
    auto logger = spdlog::rotating_logger_mt("slicefs", logFile, kLogFileBytes, kLogFiles);
    logger->set_level(spdlog::get_level());
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%t] %v");
    spdlog::flush_every(std::chrono::seconds(2));
  } catch (const std::exception& e) {
    throw CommandError("cannot open log file " + logFile + ": " + e.what());
  }
}

// What the mount exports about its data layer and volume, read at scrape
// time (common/metrics.h). Unregistered before the volume goes away.
static const char* const kDataFnNames[] = {
    "slicefs_buffer_used_bytes", "slicefs_buffer_limit_bytes", "slicefs_blocks_uploaded_total",
    "slicefs_slices_committed_total", "slicefs_block_cache_hits_total", "slicefs_block_gets_total",
    "slicefs_compactions_total", "slicefs_slices_deleted_total", "slicefs_used_space_bytes",
    "slicefs_used_inodes", "slicefs_open_handles"};

void RegisterDataMetrics(Vfs& vfs) {
  auto& r = MetricsRegistry::Global();
  DataStore* d = &vfs.data();
  Meta* m = &vfs.meta();
  Vfs* v = &vfs;
  r.gaugeFn("slicefs_buffer_used_bytes", "Write buffer in use", {}, [d] { return double(d->Stats().bufferUsed); });
  r.gaugeFn("slicefs_buffer_limit_bytes", "Write buffer limit", {}, [d] { return double(d->Stats().bufferLimit); });
  r.counterFn("slicefs_blocks_uploaded_total", "Blocks stored", {}, [d] { return double(d->Stats().blocksUploaded); });
  r.counterFn("slicefs_slices_committed_total", "Slices committed to the metadata", {},
              [d] { return double(d->Stats().slicesCommitted); });
  r.counterFn("slicefs_block_cache_hits_total", "Block reads served by a cache", {{"cache", "memory"}},
              [d] { return double(d->Stats().memCacheHits); });
  r.counterFn("slicefs_block_cache_hits_total", "Block reads served by a cache", {{"cache", "disk"}},
              [d] { return double(d->Stats().diskCacheHits); });
  r.counterFn("slicefs_block_gets_total", "Block downloads from the object store", {{"kind", "whole"}},
              [d] { return double(d->Stats().blockGets); });
  r.counterFn("slicefs_block_gets_total", "Block downloads from the object store", {{"kind", "range"}},
              [d] { return double(d->Stats().rangeGets); });
  r.counterFn("slicefs_compactions_total", "Chunk compactions", {}, [d] { return double(d->Stats().compactions); });
  r.counterFn("slicefs_slices_deleted_total", "Slices whose objects were deleted", {},
              [d] { return double(d->Stats().slicesDeleted); });
  auto usage = [m](bool space) {
    auto st = m->StatFs(Ctx::Root(), kRootIno);
    if (!st) return 0.0;
    return space ? double(st->totalSpace - st->availSpace) : double(st->usedInodes);
  };
  r.gaugeFn("slicefs_used_space_bytes", "Space used by the volume", {}, [usage] { return usage(true); });
  r.gaugeFn("slicefs_used_inodes", "Inodes used by the volume", {}, [usage] { return usage(false); });
  r.gaugeFn("slicefs_open_handles", "Open file handles of this mount", {}, [v] { return double(v->OpenHandleCount()); });
}

void UnregisterDataMetrics() {
  auto& r = MetricsRegistry::Global();
  for (const char* n : kDataFnNames) {
    r.removeFn(n, {});
  }
  r.removeFn("slicefs_block_cache_hits_total", {{"cache", "memory"}});
  r.removeFn("slicefs_block_cache_hits_total", {{"cache", "disk"}});
  r.removeFn("slicefs_block_gets_total", {{"kind", "whole"}});
  r.removeFn("slicefs_block_gets_total", {{"kind", "range"}});
}

}  // namespace slicefs::cli
