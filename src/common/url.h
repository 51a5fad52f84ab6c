// Parsing of metadata-engine and storage URLs.
//
//   scheme://[user[:password]@]host[:port][,host[:port]...][/path][?k=v&k=v]
//   sqlite3://PATH   (PATH may be relative: sqlite3://vol.db, or absolute:
//                     sqlite3:///var/lib/vol.db)
//   mem://[NAME]
//
// Parse() never throws; a malformed URL gives EINVAL with a message that
// names the problem and shows the expected form.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slicefs {

struct HostPort {
  std::string host;
  uint16_t port = 0;  // 0 when absent
};

struct Url {
  std::string scheme;     // lower-case, e.g. "sqlite3", "redis"
  std::string user;       // percent-decoded
  std::string password;   // percent-decoded
  std::vector<HostPort> hosts;
  std::string path;       // without the leading '/' for network schemes;
                          // the file path as given for sqlite3
  std::map<std::string, std::string> query;
  std::string original;

  // Parses `text`. Schemes are not checked here (callers know which they accept).
  static Result<Url> Parse(std::string_view text);

  // The URL with any password replaced by "****", for logs and status output.
  std::string Redacted() const;
};

// Url::Parse(text).Redacted(), or for text that does not parse, text with
// everything between "://" and the last '@' before the path removed.
std::string RedactedUrl(std::string_view text);

// Decodes %XX escapes; returns EINVAL on a malformed escape.
Result<std::string> PercentDecode(std::string_view s);

}  // namespace slicefs
