// ReadSet<Version>: what an optimistic transaction has read, for
// validation at commit. Version is what the engine compares at commit: the
// value itself (redis: std::optional<std::string>, nullopt = absent) or a
// modification revision (etcd: int64_t, 0 = absent). Records the first
// version seen for each key and every range scan with its bounds, limit
// and the exact keys it returned. Not thread-safe (one per transaction).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace slicefs {

struct ScanRecord {
  std::string begin, end;  // end empty = unbounded
  size_t limit = 0;        // 0 = no limit
  std::vector<std::string> keys;
  // True when the scan stopped at its limit: only [begin, keys.back()] was
  // observed, not the whole range.
  bool hitLimit() const { return limit != 0 && keys.size() >= limit; }
};

template <class Version>
class ReadSet {
 public:
  // Records that `key` had version `v`. If the key was already read with a
  // different version, the transaction saw two states: marks it
  // inconsistent (the first version is kept).
  void noteKey(std::string_view key, Version v) {
    auto [it, inserted] = keys_.try_emplace(std::string(key), std::move(v));
    if (!inserted && it->second != v) inconsistent_ = true;
  }
  // Records a scan of [begin, end) with `limit` that returned `keys` in
  // order (the caller notes each key's version with noteKey).
  void noteScan(std::string_view begin, std::string_view end, size_t limit, std::vector<std::string> keys) {
    scans_.push_back({std::string(begin), std::string(end), limit, std::move(keys)});
  }
  // Counts one engine read (a get, an MGET, a scan page).
  void countOp() { ops_++; }

  const std::map<std::string, Version, std::less<>>& keys() const { return keys_; }
  const std::vector<ScanRecord>& scans() const { return scans_; }
  bool inconsistent() const { return inconsistent_; }
  // Number of engine read operations (round trips) recorded.
  int ops() const { return ops_; }

 private:
  std::map<std::string, Version, std::less<>> keys_;
  std::vector<ScanRecord> scans_;
  bool inconsistent_ = false;
  int ops_ = 0;
};

}  // namespace slicefs
