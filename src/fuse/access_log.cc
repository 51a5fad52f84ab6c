#include "fuse/access_log.h"

#include <chrono>

namespace slicefs::fusead {

uint64_t AccessLog::Open() {
  std::lock_guard lk(mu_);
  uint64_t id = next_++;
  map_[id] = std::make_unique<Reader>();
  readers_.fetch_add(1, std::memory_order_relaxed);
  return id;
}

void AccessLog::Close(uint64_t id) {
  std::lock_guard lk(mu_);
  if (map_.erase(id) > 0) readers_.fetch_sub(1, std::memory_order_relaxed);
  cv_.notify_all();
}

void AccessLog::Append(const std::string& line) {
  std::lock_guard lk(mu_);
  for (auto& [id, r] : map_) {
    if (r->bytes + line.size() + 1 > kReaderBufferBytes) {
      r->dropped++;
      droppedTotal_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    r->lines.push_back(line + "\n");
    r->bytes += line.size() + 1;
  }
  cv_.notify_all();
}

std::string AccessLog::Read(uint64_t id, size_t max, const std::function<bool()>& stop) {
  std::unique_lock lk(mu_);
  auto find = [&]() -> Reader* {
    auto it = map_.find(id);
    return it == map_.end() ? nullptr : it->second.get();
  };
  Reader* r = find();
  auto ready = [&] {
    r = find();
    return shutdown_ || r == nullptr || r->interrupted || r->dropped > 0 || !r->lines.empty() ||
           !r->partial.empty();
  };
  while (!cv_.wait_for(lk, std::chrono::milliseconds(500), ready)) {
    if (stop && stop()) return {};
  }
  std::string out;
  if (r == nullptr) return out;
  r->interrupted = false;
  auto take = [&](std::string s) {
    if (out.size() + s.size() <= max) {
      out += s;
      return true;
    }
    if (out.empty()) {  // a line longer than the read: hand it out in parts
      out = s.substr(0, max);
      r->partial = s.substr(max);
    }
    return false;
  };
  if (!r->partial.empty()) {
    std::string p = std::move(r->partial);
    r->partial.clear();
    if (!take(std::move(p))) return out;
  }
  if (r->dropped > 0) {
    if (!take("#dropped " + std::to_string(r->dropped) + " lines\n")) return out;
    r->dropped = 0;
  }
  while (!r->lines.empty()) {
    size_t n = r->lines.front().size();
    if (!take(r->lines.front())) {
      if (!r->partial.empty()) r->bytes -= n, r->lines.pop_front();
      break;
    }
    r->bytes -= n;
    r->lines.pop_front();
  }
  return out;
}

void AccessLog::Interrupt(uint64_t id) {
  std::lock_guard lk(mu_);
  auto it = map_.find(id);
  if (it != map_.end()) it->second->interrupted = true;
  cv_.notify_all();
}

void AccessLog::Shutdown() {
  std::lock_guard lk(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

}  // namespace slicefs::fusead
