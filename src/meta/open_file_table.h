// This client's in-memory bookkeeping of open files: how many handles each
// inode has, whether this session's open record (SS{sid}{ino}) is in the
// engine, which closed files still have a record to remove (done in batches
// by MetaImpl::FlushClosedFiles), and which files this sessionless client
// keeps alive after unlinking them. The engine work (writing and removing
// records) stays in MetaImpl; this class only keeps the state consistent.
//
// Threading: thread-safe (mu_ is a leaf lock). Stripes: one of 64 mutexes
// per inode that serializes the first open of an inode in this session with
// the removal of its record; the caller holds it across that transaction.
// Lock order: stripes (in index order) before mu_.
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "common/data_model.h"

namespace slicefs {

class OpenFileTable {
 public:
  // A handle was opened; `recorded`: this session's record now exists.
  void Register(Ino ino, bool recorded);
  // A handle of an already recorded inode: takes it (true) or not (false).
  bool ReserveRecorded(Ino ino);
  bool IsOpen(Ino ino);

  enum class CloseOutcome {
    kNotOpen,        // no handle was open
    kStillOpen,      // other handles remain
    kClosedLocal,    // last handle, no record: nothing left in the engine
    kClosedUnlinked, // last handle of a file this sessionless client kept after unlinking
    kClosedRecorded, // last handle; the record is now due for removal
  };
  CloseOutcome Close(Ino ino);

  // A transaction recorded that `ino` is kept open by session `sid` (0: this
  // sessionless client) although it lost its last link.
  void KeptOpen(uint64_t sid, Ino ino);

  // Up to `max` closed inodes whose records are due for removal.
  std::vector<Ino> ClosedPending(size_t max);
  // Of `inos`, those whose records can go now (closed, recorded); they are
  // forgotten. Restore() puts them back when the removal failed.
  std::vector<Ino> TakeReleasable(const std::vector<Ino>& inos);
  void Restore(const std::vector<Ino>& inos);

  // Inodes with a record in the engine (to record again after the session
  // was cleaned by another client).
  std::vector<Ino> Recorded();
  // The session ended: no record exists any more; open handles stay.
  void SessionClosed();

  std::mutex& Stripe(Ino ino) { return stripes_[std::hash<Ino>{}(ino) % stripes_.size()]; }
  // Locks the stripes of `inos` in index order.
  std::vector<std::unique_lock<std::mutex>> LockStripes(const std::vector<Ino>& inos);

  // Serializes FlushClosedFiles runs (held across their transactions).
  std::mutex& flushMu() { return flushMu_; }

 private:
  struct OpenFile {
    int count = 0;          // handles open in this client
    bool recorded = false;  // SS{sid}{ino} of this session is in the engine
  };
  std::mutex mu_;
  std::unordered_map<Ino, OpenFile> open_;  // entries with count 0 are recorded
  std::set<Ino> unlinked_;                  // sessionless: SS{0}{ino} written here
  std::set<Ino> closedPending_;             // recorded, count 0: record removal due
  std::array<std::mutex, 64> stripes_;
  std::mutex flushMu_;
};

}  // namespace slicefs
