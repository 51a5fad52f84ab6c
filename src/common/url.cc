#include "common/url.h"

#include <charconv>

namespace slicefs {

namespace {

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Bad(std::string_view text, std::string_view why) {
  return Status::Invalid("malformed URL '" + std::string(text) + "': " + std::string(why) +
                         " (expected scheme://[user:pass@]host:port/path, e.g. "
                         "sqlite3:///path/to/vol.db or redis://127.0.0.1:6379/1)");
}

}  // namespace

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    int hi = i + 1 < s.size() ? HexVal(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? HexVal(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) return Err(EINVAL, "bad %-escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Result<Url> Url::Parse(std::string_view text) {
  Url u;
  u.original = std::string(text);
  auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return Err(Bad(text, "missing scheme"));
  for (char c : text.substr(0, sep)) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'))
      return Err(Bad(text, "invalid character in scheme"));
    u.scheme.push_back(static_cast<char>(tolower(static_cast<unsigned char>(c))));
  }
  std::string_view rest = text.substr(sep + 3);

  // Query string.
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    std::string_view qs = rest.substr(q + 1);
    rest = rest.substr(0, q);
    while (!qs.empty()) {
      auto amp = qs.find('&');
      std::string_view kv = qs.substr(0, amp);
      qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
      if (kv.empty()) continue;
      auto eq = kv.find('=');
      auto k = PercentDecode(kv.substr(0, eq));
      auto v = PercentDecode(eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1));
      if (!k || !v) return Err(Bad(text, "bad escape in query"));
      u.query[*k] = *v;
    }
  }

  // File-like schemes: everything after :// is a path.
  if (u.scheme == "sqlite3" || u.scheme == "sqlite" || u.scheme == "file" || u.scheme == "mem") {
    u.path = std::string(rest);
    if (u.scheme != "mem" && u.path.empty()) return Err(Bad(text, "missing file path"));
    return u;
  }

  std::string_view authority = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    u.path = std::string(rest.substr(slash + 1));
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    auto user = PercentDecode(userinfo.substr(0, colon));
    auto pass = PercentDecode(colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1));
    if (!user || !pass) return Err(Bad(text, "bad escape in user info"));
    u.user = *user;
    u.password = *pass;
  }
  if (authority.empty()) return Err(Bad(text, "missing host"));
  while (!authority.empty()) {
    auto comma = authority.find(',');
    std::string_view hp = authority.substr(0, comma);
    authority = comma == std::string_view::npos ? std::string_view() : authority.substr(comma + 1);
    if (hp.empty()) return Err(Bad(text, "empty host in list"));
    HostPort h;
    std::string_view portText;
    if (hp.front() == '[') {  // [ipv6]:port
      auto close = hp.find(']');
      if (close == std::string_view::npos) return Err(Bad(text, "unterminated [ipv6] host"));
      h.host = std::string(hp.substr(1, close - 1));
      std::string_view after = hp.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') return Err(Bad(text, "junk after ]"));
        portText = after.substr(1);
      }
    } else {
      auto colon = hp.rfind(':');
      h.host = std::string(hp.substr(0, colon));
      if (colon != std::string_view::npos) portText = hp.substr(colon + 1);
    }
    if (h.host.empty()) return Err(Bad(text, "missing host"));
    if (!portText.empty()) {
      unsigned port = 0;
      auto [p, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
      if (ec != std::errc() || p != portText.data() + portText.size() || port == 0 || port > 65535)
        return Err(Bad(text, "port '" + std::string(portText) + "' is not a number in 1..65535"));
      h.port = static_cast<uint16_t>(port);
    }
    u.hosts.push_back(std::move(h));
  }
  return u;
}

std::string Url::Redacted() const {
  if (password.empty()) return original;
  std::string out = original;
  auto sep = out.find("://");
  auto at = out.find('@', sep);
  if (sep == std::string::npos || at == std::string::npos) return out;
  auto colon = out.find(':', sep + 3);
  if (colon == std::string::npos || colon > at) return out;
  return out.substr(0, colon + 1) + "****" + out.substr(at);
}

std::string RedactedUrl(std::string_view text) {
  if (auto u = Url::Parse(text)) return u->Redacted();
  std::string out(text);
  auto sep = out.find("://");
  if (sep == std::string::npos) return out;
  auto slash = out.find('/', sep + 3);
  auto at = out.rfind('@', slash);
  if (at == std::string::npos || at < sep) return out;
  return out.substr(0, sep + 3) + "****" + out.substr(at);
}

}  // namespace slicefs
