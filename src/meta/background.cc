// The background thread of a client: flushes usage counters, refreshes the
// session heartbeat, removes the open records of closed files, removes
// deleted files' data, cleans stale sessions (every heartbeat) and the
// trash. Read-only clients only do the first three. Started by the
// constructor, stopped by the destructor.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>

#include "meta/meta_impl.h"

namespace slicefs {

void MetaImpl::BackgroundLoop() {
  using Clock = std::chrono::steady_clock;
  auto now = Clock::now();
  auto nextFlush = now + std::chrono::milliseconds(opts_.usageFlushMs);
  auto nextBeat = now + std::chrono::seconds(opts_.heartbeatSec);
  auto nextDelete = now;
  auto nextStale = now + std::chrono::seconds(opts_.heartbeatSec);
  // Trash purge: first after 10 s, then hourly; SLICEFS_TRASH_PURGE_EVERY_SEC
  // (tests) sets both (see trash.cc for the matching clock offset).
  std::chrono::seconds trashEvery = std::chrono::hours(1), trashFirst(10);
  if (const char* e = std::getenv("SLICEFS_TRASH_PURGE_EVERY_SEC"); e && std::atoi(e) > 0) {
    trashEvery = trashFirst = std::chrono::seconds(std::atoi(e));
  }
  auto nextTrash = now + trashFirst;
  auto warn = [](const char* what, const Status& st) {
    if (!st.ok()) spdlog::warn("meta background: {}: {}", what, st.ToString());
  };
  for (;;) {
    bool kicked;
    {
      std::unique_lock lk(bgMu_);
      bgCv_.wait_for(lk, std::chrono::milliseconds(std::min(opts_.usageFlushMs, 500)),
                     [&] { return bgStop_ || bgKick_; });
      if (bgStop_) return;
      kicked = bgKick_;
      bgKick_ = false;
    }
    now = Clock::now();
    const bool inSession = session_.id() != 0;
    if (inSession && now >= nextBeat) {
      warn("heartbeat", Heartbeat());
      nextBeat = now + std::chrono::seconds(opts_.heartbeatSec);
    }
    if (inSession) warn("release closed files", FlushClosedFiles());
    if (now >= nextFlush) {
      // Read-only clients only write when they destroyed an inode.
      warn("flush usage", FlushUsage());
      nextFlush = now + std::chrono::milliseconds(opts_.usageFlushMs);
    }
    if (opts_.readOnly) continue;
    if (kicked || now >= nextDelete) {
      if (sweepPending_.exchange(false)) {
        auto r = SweepZeroRefs();
        if (!r) warn("sweep slice refs", r.error());
      }
      auto r = ProcessDeletions();
      if (!r) warn("delete file data", r.error());
      nextDelete = now + std::chrono::seconds(10);
    }
    if (inSession && now >= nextStale) {
      auto r = CleanStaleSessions();
      if (!r) warn("clean stale sessions", r.error());
      // Every heartbeat: a dead session (expired after 5 missed beats) is
      // gone within about 6 heartbeats; the check is one SE range scan.
      nextStale = now + std::chrono::seconds(opts_.heartbeatSec);
    }
    if (inSession && fmt_.trashDays > 0 && now >= nextTrash) {
      auto r = CleanTrash(NowNs());
      if (!r) warn("clean trash", r.error());
      nextTrash = now + trashEvery;
    }
  }
}

}  // namespace slicefs
