// In-memory WebDAV locks and the If header (see dav_locks.h).
#include "webdav/dav_locks.h"

#include <openssl/rand.h>

#include <cctype>
#include <cstdio>

#include "webdav/dav_util.h"

namespace slicefs::webdav {
namespace {

std::string NewToken() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    for (auto& c : b) c = static_cast<unsigned char>(std::rand());
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;
  char s[64];
  std::snprintf(s, sizeof s, "opaquelocktoken:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return s;
}

bool AppliesTo(const DavLock& l, const std::string& path) {
  return l.root == path || (l.infinite && IsWithin(path, l.root));
}

}  // namespace

void LockTable::Expire() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = byToken_.begin(); it != byToken_.end();) {
    it = it->second.expires <= now ? byToken_.erase(it) : std::next(it);
  }
}

Result<DavLock> LockTable::Lock(const std::string& path, bool exclusive, bool infinite, std::string ownerXml,
                                uint32_t timeoutSec) {
  std::lock_guard lk(mu_);
  Expire();
  for (auto& [t, l] : byToken_) {
    const bool overlaps = AppliesTo(l, path) || (infinite && IsWithin(l.root, path));
    if (overlaps && (exclusive || l.exclusive)) return Err(EAGAIN, "locked: " + l.root);
  }
  DavLock l;
  l.token = NewToken();
  l.root = path;
  l.exclusive = exclusive;
  l.infinite = infinite;
  l.ownerXml = std::move(ownerXml);
  l.timeoutSec = std::min(timeoutSec, kMaxTimeoutSec);
  l.expires = std::chrono::steady_clock::now() + std::chrono::seconds(l.timeoutSec);
  byToken_[l.token] = l;
  return l;
}

Result<DavLock> LockTable::Refresh(const std::string& path, const std::string& token, uint32_t timeoutSec) {
  std::lock_guard lk(mu_);
  Expire();
  auto it = byToken_.find(token);
  if (it == byToken_.end() || !AppliesTo(it->second, path)) return Err(ENOENT, "no such lock on " + path);
  it->second.timeoutSec = std::min(timeoutSec, kMaxTimeoutSec);
  it->second.expires = std::chrono::steady_clock::now() + std::chrono::seconds(it->second.timeoutSec);
  return it->second;
}

Status LockTable::Unlock(const std::string& path, const std::string& token) {
  std::lock_guard lk(mu_);
  Expire();
  auto it = byToken_.find(token);
  if (it == byToken_.end() || !AppliesTo(it->second, path)) return Err(ENOENT, "no such lock on " + path);
  byToken_.erase(it);
  return Status::OK();
}

std::vector<DavLock> LockTable::Covering(const std::string& path) {
  std::lock_guard lk(mu_);
  Expire();
  std::vector<DavLock> out;
  for (auto& [t, l] : byToken_) {
    if (AppliesTo(l, path)) out.push_back(l);
  }
  return out;
}

bool LockTable::Applies(const std::string& path, const std::string& token) {
  std::lock_guard lk(mu_);
  Expire();
  auto it = byToken_.find(token);
  return it != byToken_.end() && AppliesTo(it->second, path);
}

Status LockTable::CheckWrite(const std::string& path, bool tree, const std::set<std::string>& tokens) {
  std::lock_guard lk(mu_);
  Expire();
  for (auto& [t, l] : byToken_) {
    const bool relevant = AppliesTo(l, path) || (tree && IsWithin(l.root, path));
    if (relevant && !tokens.contains(t)) return Err(EAGAIN, "locked: " + l.root);
  }
  return Status::OK();
}

void LockTable::DropTree(const std::string& path) {
  std::lock_guard lk(mu_);
  for (auto it = byToken_.begin(); it != byToken_.end();) {
    it = IsWithin(it->second.root, path) ? byToken_.erase(it) : std::next(it);
  }
}

uint32_t ParseTimeout(const std::string* header, uint32_t dflt) {
  if (!header) return dflt;
  std::string_view h = *header;
  while (!h.empty()) {
    auto comma = h.find(',');
    std::string_view item = h.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "Infinite") return LockTable::kMaxTimeoutSec;
    if (item.substr(0, 7) == "Second-" && item.size() > 7 && item.size() < 17) {
      uint64_t v = 0;
      bool ok = true;
      for (char c : item.substr(7)) {
        if (c < '0' || c > '9') ok = false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
      }
      if (ok && v > 0) return static_cast<uint32_t>(std::min<uint64_t>(v, LockTable::kMaxTimeoutSec));
    }
    if (comma == std::string_view::npos) break;
    h.remove_prefix(comma + 1);
  }
  return dflt;
}

Result<std::vector<IfList>> ParseIf(std::string_view h) {
  std::vector<IfList> out;
  std::string resource;
  size_t i = 0;
  auto skip = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) i++;
  };
  auto bad = [] { return Err(EINVAL, "malformed If header"); };
  while (true) {
    skip();
    if (i >= h.size()) break;
    if (h[i] == '<') {  // a resource tag
      auto end = h.find('>', i);
      if (end == std::string_view::npos) return bad();
      auto p = DestinationPath(h.substr(i + 1, end - i - 1));
      if (!p) return bad();
      resource = NormalizePath(*p);
      i = end + 1;
      continue;
    }
    if (h[i] != '(') return bad();
    i++;
    IfList list;
    list.resource = resource;
    while (true) {
      skip();
      if (i >= h.size()) return bad();
      if (h[i] == ')') {
        i++;
        break;
      }
      IfCondition c;
      if (h.substr(i, 3) == "Not") {
        c.negate = true;
        i += 3;
        skip();
      }
      if (i >= h.size()) return bad();
      char open = h[i], close = open == '<' ? '>' : open == '[' ? ']' : 0;
      if (!close) return bad();
      auto end = h.find(close, i + 1);
      if (end == std::string_view::npos) return bad();
      c.isEtag = open == '[';
      c.value = std::string(h.substr(i + 1, end - i - 1));
      i = end + 1;
      list.conditions.push_back(std::move(c));
    }
    if (list.conditions.empty()) return bad();
    out.push_back(std::move(list));
  }
  if (out.empty()) return bad();
  return out;
}

std::set<std::string> SubmittedTokens(const std::vector<IfList>& lists) {
  std::set<std::string> out;
  for (auto& l : lists) {
    for (auto& c : l.conditions) {
      if (!c.isEtag && !c.negate) out.insert(c.value);
    }
  }
  return out;
}

bool EvaluateIf(const std::vector<IfList>& lists, const std::string& requestPath,
                const std::function<bool(const std::string&, const std::string&)>& tokenOk,
                const std::function<std::string(const std::string&)>& etagOf) {
  for (auto& l : lists) {
    const std::string& res = l.resource.empty() ? requestPath : l.resource;
    bool all = true;
    for (auto& c : l.conditions) {
      bool v = c.isEtag ? (etagOf(res) == c.value) : tokenOk(res, c.value);
      if (c.negate) v = !v;
      if (!v) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

}  // namespace slicefs::webdav
