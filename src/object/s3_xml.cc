#include "object/s3_xml.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace slicefs::s3xml {

namespace {

// Finds "<tag>" or "<tag attr...>" at or after `from`; returns the position
// just past '>' and sets `open` to the start of '<', or npos.
size_t FindOpen(std::string_view xml, std::string_view tag, size_t from, size_t* open, bool* selfClosed) {
  while (true) {
    size_t p = xml.find('<', from);
    if (p == std::string_view::npos) return p;
    if (xml.substr(p + 1, tag.size()) == tag) {
      size_t after = p + 1 + tag.size();
      if (after < xml.size() && (xml[after] == '>' || xml[after] == ' ' || xml[after] == '/')) {
        size_t gt = xml.find('>', after);
        if (gt == std::string_view::npos) return gt;
        *open = p;
        *selfClosed = xml[gt - 1] == '/';
        return gt + 1;
      }
    }
    from = p + 1;
  }
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::vector<std::string_view> Elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  size_t from = 0;
  std::string close = "</" + std::string(tag) + ">";
  while (true) {
    size_t open = 0;
    bool selfClosed = false;
    size_t start = FindOpen(xml, tag, from, &open, &selfClosed);
    if (start == std::string_view::npos) break;
    if (selfClosed) {
      out.emplace_back();
      from = start;
      continue;
    }
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(start, end - start));
    from = end + close.size();
  }
  return out;
}

std::string FirstText(std::string_view xml, std::string_view tag) {
  size_t open = 0;
  bool selfClosed = false;
  size_t start = FindOpen(xml, tag, 0, &open, &selfClosed);
  if (start == std::string_view::npos || selfClosed) return "";
  size_t end = xml.find("</" + std::string(tag) + ">", start);
  if (end == std::string_view::npos) return "";
  return XmlDecode(xml.substr(start, end - start));
}

std::string XmlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out.push_back('&');
    else if (ent == "lt") out.push_back('<');
    else if (ent == "gt") out.push_back('>');
    else if (ent == "quot") out.push_back('"');
    else if (ent == "apos") out.push_back('\'');
    else if (ent.size() > 1 && ent[0] == '#') {
      uint32_t cp = 0;
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (ec != std::errc() || p != digits.data() + digits.size()) {
        out.append(s.substr(i, semi - i + 1));
      } else {
        AppendUtf8(out, cp);
      }
    } else {
      out.append(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          char buf[8];
          snprintf(buf, sizeof(buf), "&#x%X;", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

int64_t ParseIso8601Ns(std::string_view s) {
  struct tm tm{};
  int ms = 0;
  std::string str(s);
  const char* rest = strptime(str.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return 0;
  if (*rest == '.') {
    rest++;
    int digits = 0;
    while (*rest >= '0' && *rest <= '9') {
      if (digits < 3) ms = ms * 10 + (*rest - '0');
      digits++;
      rest++;
    }
    while (digits < 3) {
      ms *= 10;
      digits++;
    }
  }
  return static_cast<int64_t>(timegm(&tm)) * 1000000000LL + static_cast<int64_t>(ms) * 1000000LL;
}

int64_t ParseHttpDateNs(std::string_view s) {
  struct tm tm{};
  std::string str(s);
  if (!strptime(str.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000000000LL;
}

ListResult ParseListV2(std::string_view xml) {
  ListResult r;
  for (auto c : Elements(xml, "Contents")) {
    ObjectInfo info;
    info.key = FirstText(c, "Key");
    std::string size = FirstText(c, "Size");
    std::from_chars(size.data(), size.data() + size.size(), info.size);
    info.mtimeNs = ParseIso8601Ns(FirstText(c, "LastModified"));
    r.objects.push_back(std::move(info));
  }
  r.truncated = FirstText(xml, "IsTruncated") == "true";
  r.nextToken = FirstText(xml, "NextContinuationToken");
  return r;
}

ErrorDoc ParseError(std::string_view xml) {
  ErrorDoc e;
  if (xml.find("<Error") == std::string_view::npos) return e;
  e.code = FirstText(xml, "Code");
  e.message = FirstText(xml, "Message");
  return e;
}

std::string BuildDeleteBody(const std::vector<std::string>& keys) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete><Quiet>true</Quiet>";
  for (const auto& k : keys) out += "<Object><Key>" + XmlEscape(k) + "</Key></Object>";
  out += "</Delete>";
  return out;
}

std::vector<std::string> ParseDeleteErrors(std::string_view xml) {
  std::vector<std::string> out;
  for (auto e : Elements(xml, "Error")) out.push_back(FirstText(e, "Key") + ": " + FirstText(e, "Code"));
  return out;
}

}  // namespace slicefs::s3xml
