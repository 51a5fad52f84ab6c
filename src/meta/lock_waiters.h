// This client's in-memory state of flock/fcntl locking: the owners waiting
// for a lock (and whether a FUSE interrupt ended their wait), which of this
// session's owners each POSIX waiter waits for (to find deadlock cycles
// among this client's waiters, as Linux does among one host's processes),
// and the inodes this session took locks on (released at session close).
// The locks themselves are in the engine (F{ino}, P{ino}).
//
// Threading: thread-safe; mu_ is a leaf lock.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>

#include "common/data_model.h"

namespace slicefs {

class LockWaiters {
 public:
  // Sleeps before the next attempt of `owner` (backoff growing with
  // `attempt`, at most 100 ms). False when the wait was interrupted.
  bool Wait(uint64_t owner, int attempt);
  // The wait of `owner` ended (granted, refused or failed).
  void Done(uint64_t owner);
  // Records that `owner` waits for `blockers`; false (nothing recorded) when
  // a blocker transitively waits for `owner`: waiting would deadlock.
  bool NoteWaitsFor(uint64_t owner, const std::set<uint64_t>& blockers);
  // Ends a wait of `owner` (FUSE interrupt); no-op when it is not waiting.
  void Interrupt(uint64_t owner);

  void NoteLocked(Ino ino);
  // The inodes locked in this session so far; forgets them.
  std::set<Ino> TakeLocked();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<Ino> locked_;                             // inodes this session holds locks on
  std::map<uint64_t, bool> waiters_;                 // owner -> interrupted
  std::map<uint64_t, std::set<uint64_t>> waitsFor_;  // waiting POSIX owner -> this session's holders
};

}  // namespace slicefs
