#include "kv/mem_kv.h"

#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "kv/txn_store.h"

namespace slicefs {
namespace {

struct MemData {
  std::shared_mutex mu;
  std::map<std::string, std::string, std::less<>> map;
};

// Reads the map directly; the store's lock is held for the whole attempt.
class MemTxn : public BufferedTxn {
 public:
  MemTxn(MemData& d, bool readOnly) : BufferedTxn("mem", readOnly), d_(d) {}

 private:
  Result<std::optional<std::string>> fetchOne(std::string_view key) override {
    auto it = d_.map.find(key);
    if (it == d_.map.end()) return std::nullopt;
    return it->second;
  }

  Result<std::vector<KeyValue>> fetchRange(std::string_view b, std::string_view e, size_t lim) override {
    std::vector<KeyValue> out;
    for (auto it = d_.map.lower_bound(b); it != d_.map.end(); ++it) {
      if (!e.empty() && it->first >= e) break;
      if (lim != 0 && out.size() >= lim) break;
      out.push_back({it->first, it->second});
    }
    return out;
  }

  Status commit() override {
    for (const auto& [k, v] : writes().entries()) {
      if (v) d_.map.insert_or_assign(k, *v);
      else if (auto it = d_.map.find(k); it != d_.map.end()) d_.map.erase(it);
    }
    return Status::OK();
  }

  MemData& d_;
};

class MemKvStore : public TxnKvStore {
 public:
  explicit MemKvStore(std::shared_ptr<MemData> d) : TxnKvStore("mem"), d_(std::move(d)) {}

  Status dropAll() override {
    std::unique_lock lock(d_->mu);
    d_->map.clear();
    return Status::OK();
  }

 private:
  // Writers hold the lock exclusively from the first read to the commit,
  // readers share it: transactions are serial and never conflict.
  Status attempt(const TxnFn& fn, bool readOnly) override {
    MemTxn t(*d_, readOnly);
    if (readOnly) {
      std::shared_lock lock(d_->mu);
      return t.run(fn);
    }
    std::unique_lock lock(d_->mu);
    return t.run(fn);
  }

  std::shared_ptr<MemData> d_;
};

}  // namespace

std::unique_ptr<KvStore> NewMemKvStore(const std::string& name) {
  if (name.empty()) return std::make_unique<MemKvStore>(std::make_shared<MemData>());
  static std::mutex mu;
  static auto* named = new std::unordered_map<std::string, std::shared_ptr<MemData>>();
  std::lock_guard lock(mu);
  auto& d = (*named)[name];
  if (!d) d = std::make_shared<MemData>();
  return std::make_unique<MemKvStore>(d);
}

}  // namespace slicefs
