// This client's session as it knows it: the id (0 = none), what it
// registered (SI value), and when the next orphan-record sweep is due.
// The session's keys in the engine (SE/SI/SS) are written by MetaImpl.
//
// Threading: id() is a lock-free read; mu() serializes NewSession,
// CloseSession and the heartbeat, which hold it across their transactions;
// Begin/End/infoJson are called with mu() held.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "meta/meta.h"

namespace slicefs {

class SessionState {
 public:
  uint64_t id() const { return sid_.load(); }
  std::mutex& mu() { return mu_; }

  void Begin(uint64_t sid, const SessionInfo& info, std::string infoJson) {
    info_ = info;
    infoJson_ = std::move(infoJson);
    sid_ = sid;
  }
  void End() { sid_ = 0; }
  const std::string& infoJson() const { return infoJson_; }

  // The orphan-record sweep: due at `nowSec`? Once done, the next one is
  // `periodSec` later.
  bool SweepDue(int64_t nowSec) const { return nowSec >= nextSweepSec_.load(); }
  void SweepDone(int64_t nowSec, int64_t periodSec) { nextSweepSec_ = nowSec + periodSec; }

 private:
  std::atomic<uint64_t> sid_{0};
  std::mutex mu_;
  SessionInfo info_;
  std::string infoJson_;  // the SI value written by NewSession
  std::atomic<int64_t> nextSweepSec_{0};
};

}  // namespace slicefs
