// WebDAV/HTTP helpers (see dav_util.h).
#include "webdav/dav_util.h"

#include "common/url.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace slicefs::webdav {

std::string EncodePath(std::string_view path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Result<std::string> DecodePath(std::string_view s) {
  ASSIGN_OR_RETURN(std::string out, PercentDecode(s));
  if (out.find('\0') != std::string::npos) return Err(EINVAL, "NUL byte in a path");
  return out;
}

Result<std::string> DestinationPath(std::string_view dest) {
  std::string_view p = dest;
  if (auto scheme = p.find("://"); scheme != std::string_view::npos) {
    auto slash = p.find('/', scheme + 3);
    p = slash == std::string_view::npos ? std::string_view("/") : p.substr(slash);
  }
  if (p.empty() || p[0] != '/') return Err(EINVAL, "Destination is not an absolute URI or path");
  if (auto q = p.find('?'); q != std::string_view::npos) p = p.substr(0, q);
  return DecodePath(p);
}

std::string NormalizePath(std::string_view p) {
  std::string out;
  size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') i++;
    size_t j = i;
    while (j < p.size() && p[j] != '/') j++;
    if (j > i) {
      std::string_view comp = p.substr(i, j - i);
      if (comp == "..") {
        auto cut = out.rfind('/');
        out.resize(cut == std::string::npos ? 0 : cut);
      } else if (comp != ".") {
        out += '/';
        out += comp;
      }
    }
    i = j;
  }
  return out.empty() ? "/" : out;
}

std::string ParentPath(std::string_view p) {
  std::string n = NormalizePath(p);
  auto cut = n.rfind('/');
  return cut == 0 || cut == std::string::npos ? "/" : n.substr(0, cut);
}

std::string BaseName(std::string_view p) {
  std::string n = NormalizePath(p);
  return n == "/" ? "" : n.substr(n.rfind('/') + 1);
}

bool IsWithin(std::string_view child, std::string_view parent) {
  if (parent == "/") return true;
  if (child.size() < parent.size() || child.substr(0, parent.size()) != parent) return false;
  return child.size() == parent.size() || child[parent.size()] == '/';
}

namespace {
std::string FormatUtc(int64_t unixSec, const char* fmt) {
  std::time_t t = static_cast<std::time_t>(unixSec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}
}  // namespace

std::string HttpDate(int64_t unixSec) { return FormatUtc(unixSec, "%a, %d %b %Y %H:%M:%S GMT"); }
std::string IsoDate(int64_t unixSec) { return FormatUtc(unixSec, "%Y-%m-%dT%H:%M:%SZ"); }

std::optional<ByteRange> ParseRange(std::string_view h, uint64_t size, bool* unsatisfiable) {
  *unsatisfiable = false;
  constexpr std::string_view kUnit = "bytes=";
  if (h.substr(0, kUnit.size()) != kUnit) return std::nullopt;
  h.remove_prefix(kUnit.size());
  if (h.find(',') != std::string_view::npos) return std::nullopt;  // several ranges: whole body
  auto dash = h.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto num = [](std::string_view s, uint64_t* v) {
    if (s.empty() || s.size() > 19) return false;
    *v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      *v = *v * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
  };
  uint64_t a = 0, b = 0;
  std::string_view first = h.substr(0, dash), last = h.substr(dash + 1);
  if (first.empty()) {  // suffix: the last N bytes
    if (!num(last, &b)) return std::nullopt;
    if (b == 0 || size == 0) {
      *unsatisfiable = true;
      return std::nullopt;
    }
    return ByteRange{b >= size ? 0 : size - b, size - 1};
  }
  if (!num(first, &a)) return std::nullopt;
  if (last.empty()) {
    b = size == 0 ? 0 : size - 1;
  } else if (!num(last, &b) || b < a) {
    return std::nullopt;
  }
  if (a >= size) {
    *unsatisfiable = true;
    return std::nullopt;
  }
  return ByteRange{a, std::min(b, size - 1)};
}

std::string ETagOf(Ino ino, const Attr& a) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx-%llx\"", static_cast<unsigned long long>(ino),
                static_cast<unsigned long long>(a.length), static_cast<unsigned long long>(a.mtimeNs));
  return buf;
}

std::string ContentTypeFor(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html"},        {".htm", "text/html"},         {".txt", "text/plain"},
      {".css", "text/css"},          {".js", "text/javascript"},    {".json", "application/json"},
      {".xml", "application/xml"},   {".png", "image/png"},         {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},       {".gif", "image/gif"},         {".svg", "image/svg+xml"},
      {".pdf", "application/pdf"},   {".zip", "application/zip"},   {".gz", "application/gzip"},
      {".tar", "application/x-tar"}, {".mp4", "video/mp4"},         {".mp3", "audio/mpeg"},
  };
  auto dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    std::string ext(name.substr(dot));
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& [e, t] : kTypes) {
      if (ext == e) return std::string(t);
    }
  }
  return "application/octet-stream";
}

}  // namespace slicefs::webdav
