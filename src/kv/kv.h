// The transactional key-value interface: the only thing a metadata engine
// implements. All filesystem metadata logic (src/meta) is written once over it.
//
// Keys and values are arbitrary byte strings; keys sort bytewise (memcmp).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slicefs {

struct KeyValue {
  std::string key;
  std::string value;
  bool operator==(const KeyValue&) const = default;
};

// One transaction. Not thread-safe: used by one thread, only inside the
// function passed to KvStore::txn/readOnly, and never after it returns.
// Reads see the transaction's own earlier put/del (read-your-writes), for
// get, gets and scan alike. Writes become visible to others only when the
// transaction commits, all at once or not at all.
class KvTxn {
 public:
  virtual ~KvTxn() = default;
  // The value of `key`, or nullopt when absent.
  virtual Result<std::optional<std::string>> get(std::string_view key) = 0;
  // Values of several keys, in the order given (one round trip where possible).
  virtual Result<std::vector<std::optional<std::string>>> gets(std::span<const std::string> keys) = 0;
  // Keys in [begin, end) in ascending order, at most `limit` (0 = no limit).
  // An empty `end` means no upper bound. To resume, call again with begin set
  // to the last key returned plus a '\0' byte.
  virtual Result<std::vector<KeyValue>> scan(std::string_view begin, std::string_view end, size_t limit) = 0;
  // Buffers a write; errors surface at commit. Not allowed in readOnly.
  virtual void put(std::string_view key, std::string_view value) = 0;
  virtual void del(std::string_view key) = 0;
};

// A metadata engine. Thread-safe: any number of threads may run transactions
// at once.
class KvStore {
 public:
  virtual ~KvStore() = default;

  // Engine name for messages and test names: "mem", "sqlite3", "redis", ...
  virtual std::string name() const = 0;

  // Runs fn in a read-write transaction and commits it if fn returns OK.
  // If fn returns an error the transaction is rolled back and that error
  // returned. On a conflict (fn returned Status::Conflict, or commit found
  // that a key read was changed meanwhile) or a retryable engine error, the
  // transaction is rolled back and fn is called again after a backoff, up to
  // an engine-specific limit (then EAGAIN/EIO is returned). fn must therefore
  // have no side effects outside the transaction other than resetting its
  // own outputs at the start of each call.
  virtual Status txn(const std::function<Status(KvTxn&)>& fn) = 0;

  // Runs fn in a read-only transaction that sees one consistent snapshot
  // where the engine supports it. put/del inside it are programming errors.
  virtual Status readOnly(const std::function<Status(KvTxn&)>& fn) = 0;

  // Runs fn as one long read-only pass over a large part of the key space
  // (dump, backup): like readOnly, but the engine keeps nothing of what fn
  // has read (no read set for validation), so memory does not grow with the
  // amount read. One consistent snapshot where streamIsSnapshot() is true
  // (mem, sqlite3, postgres, etcd); on redis each read sees the committed
  // state at its own time. Like readOnly, fn may be called again after a
  // retryable error: a caller that has produced output must refuse the rerun.
  virtual Status readStream(const std::function<Status(KvTxn&)>& fn) { return readOnly(fn); }
  virtual bool streamIsSnapshot() const { return true; }

  // Deletes every key this store holds (used by `destroy` and by tests).
  // Only touches this store's own namespace when the engine is shared.
  virtual Status dropAll() = 0;
};

// Opens an engine from a META-URL: mem://[name], sqlite3://PATH,
// redis://..., postgres://..., etcd://.... Unknown schemes, malformed URLs,
// missing databases and unreachable servers give a one-line error.
Result<std::unique_ptr<KvStore>> OpenKvStore(std::string_view url);

struct KvOpenOptions {
  // When false, an embedded database that does not exist yet (sqlite3 file)
  // is not created: ENOENT instead (for commands that only read a volume,
  // such as `status`). Server engines always need an existing database.
  bool create = true;
};
Result<std::unique_ptr<KvStore>> OpenKvStore(std::string_view url, const KvOpenOptions& options);

}  // namespace slicefs
