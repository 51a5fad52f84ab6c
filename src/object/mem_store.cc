#include "object/mem_store.h"

#include <chrono>

#include "common/clock.h"

namespace slicefs {


void MemStore::SetHook(std::function<Status(const char*, const std::string&)> hook) {
  std::lock_guard lk(mu_);
  hook_ = std::move(hook);
}

Status MemStore::RunHook(const char* op, const std::string& key) {
  std::function<Status(const char*, const std::string&)> h;
  {
    std::lock_guard lk(mu_);
    h = hook_;
  }
  return h ? h(op, key) : Status::OK();
}

size_t MemStore::Count() const {
  std::lock_guard lk(mu_);
  return objects_.size();
}

Status MemStore::put(const std::string& key, std::span<const char> data) {
  RETURN_IF_ERROR(RunHook("put", key));
  if (key.empty()) return Status::Invalid("empty object key");
  puts_++;
  std::string copy(data.data(), data.size());
  std::lock_guard lk(mu_);
  objects_[key] = {std::move(copy), WallNs()};
  return Status::OK();
}

Result<std::string> MemStore::get(const std::string& key, uint64_t off, int64_t len) {
  if (Status _s = RunHook("get", key); !_s.ok()) return Err(_s);
  gets_++;
  std::lock_guard lk(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Err(ENOENT, "no such object: " + key);
  const std::string& d = it->second.first;
  if (off >= d.size()) return std::string();
  uint64_t n = d.size() - off;
  if (len >= 0 && static_cast<uint64_t>(len) < n) n = static_cast<uint64_t>(len);
  return d.substr(off, n);
}

Status MemStore::del(const std::string& key) {
  RETURN_IF_ERROR(RunHook("del", key));
  std::lock_guard lk(mu_);
  objects_.erase(key);
  return Status::OK();
}

Result<ObjectInfo> MemStore::head(const std::string& key) {
  if (Status _s = RunHook("head", key); !_s.ok()) return Err(_s);
  std::lock_guard lk(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Err(ENOENT, "no such object: " + key);
  return ObjectInfo{key, it->second.first.size(), it->second.second};
}

Result<ListPage> MemStore::list(const std::string& prefix, const std::string& startAfter,
                                size_t limit) {
  if (Status _s = RunHook("list", prefix); !_s.ok()) return Err(_s);
  ListPage page;
  std::lock_guard lk(mu_);
  auto it = startAfter.empty() || startAfter < prefix ? objects_.lower_bound(prefix)
                                                      : objects_.upper_bound(startAfter);
  for (; it != objects_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (page.objects.size() >= limit) {
      page.truncated = true;
      break;
    }
    page.objects.push_back({it->first, it->second.first.size(), it->second.second});
  }
  return page;
}

}  // namespace slicefs
