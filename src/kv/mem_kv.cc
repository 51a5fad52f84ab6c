#include "kv/mem_kv.h"

#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "kv/retry.h"
#include "kv/write_buffer.h"

namespace slicefs {
namespace {

struct MemData {
  std::shared_mutex mu;
  std::map<std::string, std::string, std::less<>> map;
};

class MemTxn : public KvTxn {
 public:
  MemTxn(MemData& d, bool readOnly) : d_(d), readOnly_(readOnly) {}

  Result<std::optional<std::string>> get(std::string_view key) override {
    if (const auto* e = buf_.find(key)) return *e;
    return lookup(key);
  }

  Result<std::vector<std::optional<std::string>>> gets(std::span<const std::string> keys) override {
    return buf_.gets(keys, [&](std::span<const std::string> ks) -> Result<std::vector<std::optional<std::string>>> {
      std::vector<std::optional<std::string>> out;
      for (const auto& k : ks) out.push_back(lookup(k));
      return out;
    });
  }

  Result<std::vector<KeyValue>> scan(std::string_view begin, std::string_view end, size_t limit) override {
    return buf_.scan(begin, end, limit,
                     [&](std::string_view b, std::string_view e, size_t lim) -> Result<std::vector<KeyValue>> {
                       std::vector<KeyValue> out;
                       for (auto it = d_.map.lower_bound(b); it != d_.map.end(); ++it) {
                         if (!e.empty() && it->first >= e) break;
                         if (lim != 0 && out.size() >= lim) break;
                         out.push_back({it->first, it->second});
                       }
                       return out;
                     });
  }

  void put(std::string_view key, std::string_view value) override {
    if (readOnly_) misuse_ = true;
    else buf_.put(key, value);
  }
  void del(std::string_view key) override {
    if (readOnly_) misuse_ = true;
    else buf_.del(key);
  }

  bool misuse() const { return misuse_; }

  void commit() {
    for (const auto& [k, v] : buf_.entries()) {
      if (v) d_.map.insert_or_assign(k, *v);
      else if (auto it = d_.map.find(k); it != d_.map.end()) d_.map.erase(it);
    }
  }

 private:
  std::optional<std::string> lookup(std::string_view key) {
    auto it = d_.map.find(key);
    if (it == d_.map.end()) return std::nullopt;
    return it->second;
  }

  MemData& d_;
  bool readOnly_;
  bool misuse_ = false;
  WriteBuffer buf_;
};

class MemKvStore : public KvStore {
 public:
  explicit MemKvStore(std::shared_ptr<MemData> d) : d_(std::move(d)) {}

  std::string name() const override { return "mem"; }

  Status txn(const std::function<Status(KvTxn&)>& fn) override {
    return RetryTxn("mem", policy_, [&]() -> Status {
      std::unique_lock lock(d_->mu);
      MemTxn t(*d_, false);
      RETURN_IF_ERROR(fn(t));
      t.commit();
      return Status::OK();
    });
  }

  Status readOnly(const std::function<Status(KvTxn&)>& fn) override {
    return RetryTxn("mem", policy_, [&]() -> Status {
      std::shared_lock lock(d_->mu);
      MemTxn t(*d_, true);
      Status st = fn(t);
      if (t.misuse()) return Status::Invalid("mem: put/del inside a read-only transaction");
      return st;
    });
  }

  Status dropAll() override {
    std::unique_lock lock(d_->mu);
    d_->map.clear();
    return Status::OK();
  }

 private:
  std::shared_ptr<MemData> d_;
  TxnRetryPolicy policy_;
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
