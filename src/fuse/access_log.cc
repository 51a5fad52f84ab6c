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
      // A run of drops is one notice (a few bytes over the bound at most).
      if (r->lines.empty() || r->lines.back().dropped == 0) r->lines.push_back(Entry{});
      r->lines.back().dropped++;
      droppedTotal_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    r->lines.push_back(Entry{line + "\n", 0});
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
  if (r != nullptr) r->interrupted = false;  // a stale wake-up of an earlier read
  auto ready = [&] {
    r = find();
    return shutdown_ || r == nullptr || r->interrupted || !r->lines.empty() || !r->partial.empty();
  };
  while (!cv_.wait_for(lk, std::chrono::milliseconds(500), ready)) {
    if (stop && stop()) return {};
  }
  std::string out;
  if (r == nullptr) return out;
  // Appends s whole if it fits; a first piece longer than max is cut and
  // its rest kept for the next read. False when s did not go out whole.
  auto take = [&](const std::string& s) {
    if (out.size() + s.size() <= max) {
      out += s;
      return true;
    }
    if (out.empty()) {
      out = s.substr(0, max);
      r->partial = s.substr(max);
      return true;
    }
    return false;
  };
  if (!r->partial.empty()) {
    std::string p = std::move(r->partial);
    r->partial.clear();
    take(p);
  }
  while (!r->lines.empty() && r->partial.empty()) {
    Entry& e = r->lines.front();
    const std::string text = e.dropped ? "#dropped " + std::to_string(e.dropped) + " lines\n" : e.line;
    if (!take(text)) break;
    r->bytes -= e.line.size();
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
