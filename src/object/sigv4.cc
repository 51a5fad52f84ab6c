#include "object/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

namespace slicefs::sigv4 {

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return Hex(std::string_view(reinterpret_cast<const char*>(md), sizeof(md)));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string Md5Base64(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, md, static_cast<int>(len));
  return std::string(reinterpret_cast<const char*>(b64), n);
}

std::string UriEncode(std::string_view s, bool encodeSlash) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && !encodeSlash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::string CanonicalQuery(const Pairs& query) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(query.size());
  for (const auto& [k, v] : query) enc.emplace_back(UriEncode(k, true), UriEncode(v, true));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses runs of spaces/tabs into one space.
std::string NormalizeValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

Signed Sign(const Request& req, const Credentials& creds, std::string_view region,
            std::string_view service, std::string_view amzDate) {
  Signed s;
  // Canonical headers: sorted by lower-case name; repeated names joined.
  std::map<std::string, std::string> headers;
  for (const auto& [k, v] : req.headers) {
    std::string name = Lower(k);
    std::string value = NormalizeValue(v);
    auto [it, inserted] = headers.emplace(name, value);
    if (!inserted) it->second += "," + value;
  }
  std::string canonHeaders;
  for (const auto& [k, v] : headers) {
    canonHeaders += k + ":" + v + "\n";
    if (!s.signedHeaders.empty()) s.signedHeaders.push_back(';');
    s.signedHeaders += k;
  }
  std::string path = req.path.empty() ? "/" : req.path;
  s.canonicalRequest = req.method + "\n" + UriEncode(path, false) + "\n" + CanonicalQuery(req.query) +
                       "\n" + canonHeaders + "\n" + s.signedHeaders + "\n" + req.payloadHash;

  std::string_view date = amzDate.substr(0, 8);
  std::string scope = Scope(date, region, service);
  s.stringToSign = "AWS4-HMAC-SHA256\n" + std::string(amzDate) + "\n" + scope + "\n" +
                   Sha256Hex(s.canonicalRequest);
  s.signature = Hex(HmacSha256(SigningKey(creds.secretKey, date, region, service), s.stringToSign));
  s.authorization = "AWS4-HMAC-SHA256 Credential=" + creds.accessKey + "/" + scope +
                    ", SignedHeaders=" + s.signedHeaders + ", Signature=" + s.signature;
  return s;
}

std::string Scope(std::string_view date, std::string_view region, std::string_view service) {
  return std::string(date) + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
}

std::string SigningKey(std::string_view secretKey, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string kDate = HmacSha256("AWS4" + std::string(secretKey), date);
  std::string kRegion = HmacSha256(kDate, region);
  std::string kService = HmacSha256(kRegion, service);
  return HmacSha256(kService, "aws4_request");
}

std::string ChunkSignature(std::string_view signingKey, std::string_view amzDate, std::string_view scope,
                           std::string_view previousSignature, std::string_view chunkSha256Hex) {
  std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n" + std::string(amzDate) + "\n" + std::string(scope) + "\n" +
                    std::string(previousSignature) + "\n" + std::string(kEmptySha256) + "\n" +
                    std::string(chunkSha256Hex);
  return Hex(HmacSha256(signingKey, sts));
}

bool SameSignature(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string AmzDate(int64_t unixSeconds) {
  time_t t = static_cast<time_t>(unixSeconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Signed SignS3(Request& req, const Credentials& creds, std::string_view region, int64_t unixSeconds) {
  std::string date = AmzDate(unixSeconds);
  req.headers.emplace_back("x-amz-date", date);
  req.headers.emplace_back("x-amz-content-sha256", req.payloadHash);
  if (!creds.sessionToken.empty()) req.headers.emplace_back("x-amz-security-token", creds.sessionToken);
  Signed s = Sign(req, creds, region, "s3", date);
  req.headers.emplace_back("Authorization", s.authorization);
  return s;
}

}  // namespace slicefs::sigv4
