// WebDAV write locks (class 2), kept in the memory of this server process:
// they are not shared with mounts or other WebDAV servers of the volume and
// are gone when the process stops (documented in docs/cli.md). A lock has a
// root path, a scope (exclusive or shared), a depth (0 or infinity), an
// owner (XML, echoed back), a timeout, and an opaquelocktoken: URI.
//
// Also the If request header (RFC 4918 section 10.4): its lists are parsed
// into conditions that the caller evaluates against lock tokens and ETags.
//
// Threading: LockTable is thread-safe (one mutex). Expired locks are
// dropped lazily, on every call. Errors: EAGAIN for a conflicting lock
// (423 Locked), ENOENT for a token that does not apply (409 / 412),
// EINVAL for a malformed If header (400).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slicefs::webdav {

struct DavLock {
  std::string token;  // "opaquelocktoken:<uuid>"
  std::string root;   // normalized volume path
  bool exclusive = true;
  bool infinite = true;  // depth infinity (else 0)
  std::string ownerXml;
  uint32_t timeoutSec = 0;  // as granted
  std::chrono::steady_clock::time_point expires;
};

class LockTable {
 public:
  // Longest timeout granted; a request for more (or Infinite) gets this.
  static constexpr uint32_t kMaxTimeoutSec = 3600;
  // A new lock on `path`, unless it conflicts with one on the path, on an
  // ancestor with depth infinity, or (for an infinite lock) below it.
  Result<DavLock> Lock(const std::string& path, bool exclusive, bool infinite, std::string ownerXml,
                       uint32_t timeoutSec);
  // Refreshes the lock `token` that applies to `path`; ENOENT if none.
  Result<DavLock> Refresh(const std::string& path, const std::string& token, uint32_t timeoutSec);
  // Removes the lock `token` that applies to `path`; ENOENT if none.
  Status Unlock(const std::string& path, const std::string& token);
  // The locks that apply to `path` (rooted there or inherited).
  std::vector<DavLock> Covering(const std::string& path);
  // True when `token` is a lock that applies to `path`.
  bool Applies(const std::string& path, const std::string& token);
  // EAGAIN unless every lock that applies to `path` (and, with `tree`, every
  // lock rooted below it) has its token in `tokens`.
  Status CheckWrite(const std::string& path, bool tree, const std::set<std::string>& tokens);
  // Drops the locks rooted at or below `path` (after DELETE, MOVE).
  void DropTree(const std::string& path);

 private:
  void Expire();
  std::mutex mu_;
  std::map<std::string, DavLock> byToken_;
};

// The Timeout header: "Second-N" or "Infinite" (first acceptable entry),
// capped at kMaxTimeoutSec; the default when absent or unusable.
uint32_t ParseTimeout(const std::string* header, uint32_t dflt = 600);

// One condition of an If list: a state token or an entity tag, maybe negated.
struct IfCondition {
  bool negate = false;
  bool isEtag = false;
  std::string value;  // the token URI, or the ETag with its quotes
};
struct IfList {
  std::string resource;  // the tag's path, or "" for the request URI
  std::vector<IfCondition> conditions;
};
// Parses an If header; EINVAL when malformed.
Result<std::vector<IfList>> ParseIf(std::string_view header);
// The state tokens an If header names (the lock tokens it submits).
std::set<std::string> SubmittedTokens(const std::vector<IfList>& lists);
// True when at least one list holds: every condition true, where
// tokenOk(resource, token) and etagOf(resource) say what is current.
bool EvaluateIf(const std::vector<IfList>& lists, const std::string& requestPath,
                const std::function<bool(const std::string&, const std::string&)>& tokenOk,
                const std::function<std::string(const std::string&)>& etagOf);

}  // namespace slicefs::webdav
