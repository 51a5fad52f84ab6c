// ReadSet: what an optimistic transaction has read, for validation at
// commit (redis) or for snapshot checks of multi-read read-only
// transactions. Records the first value seen for each key and every range
// scan with the exact keys it returned. Not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kv/kv.h"

namespace slicefs {

struct ScanRecord {
  std::string begin, end;  // end empty = unbounded
  size_t limit = 0;
  std::vector<std::string> keys;
};

class ReadSet {
 public:
  // Records that `key` had `value`. If the key was already read with a
  // different value, the transaction saw two states: marks it inconsistent.
  void noteKey(const std::string& key, const std::optional<std::string>& value) {
    auto [it, inserted] = keys_.emplace(key, value);
    if (!inserted && it->second != value) inconsistent_ = true;
  }
  // Counts one engine read (a get, an MGET, a scan page).
  void countOp() { ops_++; }
  void noteScan(std::string_view begin, std::string_view end, size_t limit, const std::vector<KeyValue>& rows) {
    ScanRecord r{std::string(begin), std::string(end), limit, {}};
    for (const auto& kv : rows) {
      r.keys.push_back(kv.key);
      auto [it, inserted] = keys_.emplace(kv.key, kv.value);
      if (!inserted && it->second != kv.value) inconsistent_ = true;
    }
    scans_.push_back(std::move(r));
  }

  const std::map<std::string, std::optional<std::string>>& keys() const { return keys_; }
  const std::vector<ScanRecord>& scans() const { return scans_; }
  bool inconsistent() const { return inconsistent_; }
  // Number of engine read operations (round trips) recorded.
  int ops() const { return ops_; }

 private:
  std::map<std::string, std::optional<std::string>> keys_;
  std::vector<ScanRecord> scans_;
  bool inconsistent_ = false;
  int ops_ = 0;
};

}  // namespace slicefs
