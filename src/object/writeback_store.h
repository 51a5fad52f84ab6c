// `mount --writeback`: an ObjectStore decorator that stages every put in a
// local directory and uploads it to the inner store in the background.
//
// Placement: directly above the backend, below compression and encryption,
// so a staged file holds exactly the bytes that will be uploaded (ciphertext
// on an encrypted volume).
//
// Durability: put() writes DIR/.tmp/<n>, fsyncs it, renames it to DIR/<key>
// and fsyncs the directory (and every directory it created) before it
// returns, so once the caller commits the slice that names the block, a
// crash of the process or the machine cannot lose it. A staged file is
// removed only after the inner put succeeded. Open() finds the files a
// previous process left (any process with the same DIR) and schedules them
// first, before anything staged later; WaitForLeftovers() lets the mount
// hold off serving until they are stored.
//
// Reads: get()/head() of a staged key are served from DIR. del() of a key
// that is staged and not being uploaded drops it without any upload (short
// files under --upload-delay); one being uploaded is deleted from the inner
// store once its upload ends. list() is the inner store's listing (staged
// objects appear there once uploaded).
//
// Back-pressure: put() waits while the staged bytes would exceed
// `limitBytes` (one put larger than the limit is admitted alone).
// Failed uploads are retried with backoff for ever: a staged block is never
// dropped. Keys with "." or ".." components are not staged (passed through).
//
// Threading: all methods are thread-safe; `uploads` worker threads run
// until destruction, which stops them without uploading the rest (they stay
// staged for the next Open). Drain() uploads everything now.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "object/store_wrapper.h"

namespace slicefs {

struct WritebackOptions {
  std::string dir;                          // staging directory (created 0700)
  uint64_t limitBytes = 1ULL << 30;         // staged bytes before put() waits
  int uploads = 4;                          // concurrent background uploads
  std::chrono::milliseconds uploadDelay{0}; // a block waits this long before upload
  std::chrono::milliseconds retryMin{200};  // backoff after a failed upload
  std::chrono::milliseconds retryMax{10000};
};

struct WritebackStats {
  uint64_t pendingBlocks = 0;   // staged, not yet stored
  uint64_t pendingBytes = 0;
  uint64_t uploaded = 0;        // blocks stored since Open
  uint64_t uploadErrors = 0;    // failed upload attempts (each retried)
  uint64_t droppedUnuploaded = 0; // deleted while staged: never uploaded
  uint64_t leftovers = 0;       // staged files found at Open
};

class WritebackStore : public ObjectStoreWrapper {
 public:
  static Result<std::unique_ptr<WritebackStore>> Open(std::unique_ptr<ObjectStore> inner, WritebackOptions opts);
  ~WritebackStore() override;

  std::string describe() const override;
  Status put(const std::string& key, std::span<const char> data) override;
  Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) override;
  Status del(const std::string& key) override;
  Result<ObjectInfo> head(const std::string& key) override;
  // Staged files are durable when put returns: nothing to do.
  Status sync() override { return Status::OK(); }

  // Uploads every staged block now (ignoring the delay) and waits until none
  // is pending or `timeout` passed; ETIMEDOUT then, with how many remain.
  Status Drain(std::chrono::milliseconds timeout);
  // Waits until the blocks found at Open are stored (or timeout: ETIMEDOUT).
  Status WaitForLeftovers(std::chrono::milliseconds timeout);
  WritebackStats Stats() const;
  // Up to `limit` staged keys (for the status record fsck reads).
  std::vector<std::string> PendingKeys(size_t limit) const;
  const std::string& dir() const { return opts_.dir; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Item {
    uint64_t size = 0;
    bool inFlight = false;
    bool deleted = false;   // del() while in flight: delete after the upload
    bool leftover = false;
    Clock::time_point due;
  };
  WritebackStore(std::unique_ptr<ObjectStore> inner, WritebackOptions opts);
  Status Recover();
  Status EnsureDirs(const std::string& path);
  std::string PathOf(const std::string& key) const { return opts_.dir + "/" + key; }
  static bool Stageable(const std::string& key);
  void Worker();
  void Schedule(const std::string& key, Clock::time_point due);

  WritebackOptions opts_;
  mutable std::mutex mu_;
  std::condition_variable work_;   // workers: something became due or stop
  std::condition_variable space_;  // put(): bytes freed; Drain(): progress
  std::unordered_map<std::string, Item> items_;
  std::multimap<Clock::time_point, std::string> queue_;  // due time -> key (not in flight)
  std::set<std::string> madeDirs_;
  uint64_t pendingBytes_ = 0;
  uint64_t leftoversLeft_ = 0;
  uint64_t tmpSeq_ = 0;
  bool stop_ = false;
  bool draining_ = false;
  WritebackStats stats_;
  std::vector<std::thread> workers_;
};

}  // namespace slicefs
