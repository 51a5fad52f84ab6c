// WriteBuffer: the buffered puts and deletes of one transaction, overlaid on
// the engine's reads so that get, gets and scan see the transaction's own
// writes (read-your-writes). Used through BufferedTxn (buffered_txn.h) by
// every engine, which applies the buffer at commit. Not thread-safe (one per
// transaction).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kv/kv.h"

namespace slicefs {

class WriteBuffer {
 public:
  // Buffered state of a key: a value, or nullopt for a delete.
  using Entry = std::optional<std::string>;
  using Map = std::map<std::string, Entry, std::less<>>;

  // Reads keys [begin, end) from the engine (empty end = unbounded), at most
  // limit (0 = all), ascending.
  using RangeFetch =
      std::function<Result<std::vector<KeyValue>>(std::string_view begin, std::string_view end, size_t limit)>;
  // Reads the given keys from the engine, in order.
  using MultiFetch = std::function<Result<std::vector<std::optional<std::string>>>(std::span<const std::string>)>;

  void put(std::string_view key, std::string_view value);
  void del(std::string_view key);

  // The buffered entry for key, or null when the key was not written.
  const Entry* find(std::string_view key) const;

  bool empty() const { return writes_.empty(); }
  size_t size() const { return writes_.size(); }
  const Map& entries() const { return writes_; }
  void clear() { writes_.clear(); }

  // gets() overlaid: fetches only keys that are not buffered.
  Result<std::vector<std::optional<std::string>>> gets(std::span<const std::string> keys,
                                                       const MultiFetch& fetch) const;

  // scan() overlaid: merges engine rows with buffered puts and hides
  // buffered deletes, fetching more pages when deletes thin a page out.
  Result<std::vector<KeyValue>> scan(std::string_view begin, std::string_view end, size_t limit,
                                     const RangeFetch& fetch) const;

 private:
  Map writes_;
};

}  // namespace slicefs
