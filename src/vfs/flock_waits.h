// Which inodes have flocks granted to handles of this client, and which of
// those handles are being released, so that a refused LOCK_NB flock can
// wait for a release that close(2) has already promised (RELEASE reaches
// the mount asynchronously, after close returns).
//
// Per inode, not per open inode: the releasing handle's inode state may be
// gone (and a new one made by the next open) while its unlock still runs.
// Thread-safe; bounded by the number of inodes with flocks held here.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "meta/types.h"

namespace slicefs {

class FlockWaits {
 public:
  // A handle was granted a flock on ino / gave it up without closing.
  void Granted(Ino ino);
  void Dropped(Ino ino);
  // A holding handle's release starts / has unlocked (Ended implies Dropped).
  void ReleaseStarted(Ino ino);
  void ReleaseEnded(Ino ino);
  // Taken before asking Meta for a lock: counts ended releases (any inode).
  uint64_t Generation();
  // After a refused LOCK_NB asked with generation `gen`: true when a
  // release ended since then (try again). Waits while a release on ino is
  // running (up to 10 s), and otherwise, when other holders exist here
  // (besides the caller's own handle if selfHolds), up to `grace` for one
  // to start and end.
  bool WaitForRelease(Ino ino, uint64_t gen, bool selfHolds, std::chrono::milliseconds grace);

 private:
  struct State {
    int holders = 0;
    int releasing = 0;
  };
  void MaybeErase(Ino ino);

  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<Ino, State> inodes_;
  uint64_t gen_ = 0;  // releases ended
};

}  // namespace slicefs
