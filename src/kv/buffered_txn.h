// BufferedTxn: the one KvTxn implementation every engine hands to fn.
//
// It implements get, gets, scan, put and del once, over the engine's reads
// (fetch or fetchOne, and fetchRange) and a WriteBuffer: put/del are
// buffered and overlaid on the engine's reads (read-your-writes,
// write_buffer.h), and the engine's commit() applies them at the end. An engine subclass supplies only the
// reads at its isolation level and its commit (validation, write-out).
//
// Two rules every engine shares live here too:
//  - Read-only misuse: put/del in a read-only transaction are dropped and
//    the attempt ends with a final EINVAL "<engine>: put inside a read-only
//    transaction", whatever fn returned; it is not retried and nothing is
//    committed.
//  - First engine error: the first failed engine read is recorded. When fn
//    returns OK anyway (it swallowed the error) or the recorded error is
//    retryable (a conflict, a lost connection), the attempt ends with the
//    recorded error instead of fn's status, so a transaction never commits
//    on top of a failed read and a transient failure is retried.
//
// Ownership: an engine makes one per attempt, reading through a connection
// (or lock) that outlives it; `engine` must be a string that lives as long
// (a literal). Threading: used by one thread, like every KvTxn.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kv/kv.h"
#include "kv/write_buffer.h"

namespace slicefs {

using TxnFn = std::function<Status(KvTxn&)>;

class BufferedTxn : public KvTxn {
 public:
  BufferedTxn(std::string_view engine, bool readOnly) : engine_(engine), readOnly_(readOnly) {}

  Result<std::optional<std::string>> get(std::string_view key) final;
  Result<std::vector<std::optional<std::string>>> gets(std::span<const std::string> keys) final;
  Result<std::vector<KeyValue>> scan(std::string_view begin, std::string_view end, size_t limit) final;
  void put(std::string_view key, std::string_view value) final;
  void del(std::string_view key) final;

  // Runs fn on this transaction and ends the attempt: the misuse error, the
  // recorded engine error or fn's error (rules above), else commit().
  Status run(const TxnFn& fn);

  // The status the attempt ends with given what fn returned, before commit.
  Status outcome(Status fnStatus) const;

  bool readOnly() const { return readOnly_; }
  const WriteBuffer& writes() const { return buf_; }

 protected:
  // Engine reads (no buffered writes), at the engine's isolation. An engine
  // overrides at least one of fetchOne and fetch: one with a batch read
  // (MGET, IN (...)) overrides fetch, one without overrides fetchOne.
  // The value of one key in the engine. Default: fetch() of that key.
  virtual Result<std::optional<std::string>> fetchOne(std::string_view key);
  // The values of `keys` in the engine, in order. Default: fetchOne() each.
  virtual Result<std::vector<std::optional<std::string>>> fetch(std::span<const std::string> keys);
  // Engine rows in [begin, end) (empty end = unbounded), ascending, at most
  // `limit` (0 = all). Called with begin < end or end empty.
  virtual Result<std::vector<KeyValue>> fetchRange(std::string_view begin, std::string_view end,
                                                   size_t limit) = 0;
  // Makes writes() visible atomically, or fails (Status::Conflict when a
  // read is no longer valid). Called at most once, only after fn returned OK
  // with no misuse and no engine error; for read-only transactions too
  // (engines that validate snapshots do so here).
  virtual Status commit() = 0;

  std::string_view engine() const { return engine_; }

 private:
  template <class T>
  T note(T r) {
    if (!r.has_value() && err_.ok()) err_ = r.error();
    return r;
  }
  void misuse(const char* op) {
    if (!misuse_) misuse_ = op;
  }

  std::string_view engine_;
  bool readOnly_;
  const char* misuse_ = nullptr;  // the first write attempted in a read-only transaction
  Status err_;                    // the first engine read error
  WriteBuffer buf_;
};

}  // namespace slicefs
