#include "gateway/auth.h"

#include <strings.h>

#include <cctype>
#include <ctime>
#include <vector>

namespace slicefs::gateway {

namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

struct Credential {
  std::string accessKey, date, region, service;
};

// "AK/20130524/us-east-1/s3/aws4_request"; the access key may not hold '/'.
bool ParseCredential(std::string_view s, Credential* c) {
  auto parts = Split(s, '/');
  if (parts.size() != 5 || parts[4] != "aws4_request" || parts[1].size() != 8) return false;
  c->accessKey = parts[0];
  c->date = parts[1];
  c->region = parts[2];
  c->service = parts[3];
  return true;
}

AuthResult Fail(std::string_view code, std::string message = "") {
  AuthResult r;
  r.error = MakeError(code, std::move(message));
  return r;
}

// The request's values of the headers named in `list` ("host;x-amz-date").
// Returns the first name missing from the request ("" if none).
std::string CollectSigned(const RequestView& r, std::string_view list, sigv4::Pairs* out) {
  for (auto name : Split(list, ';')) {
    bool found = false;
    for (const auto& [k, v] : r.headers) {
      if (IEquals(k, name)) {
        out->emplace_back(std::string(name), v);
        found = true;
      }
    }
    if (!found) return std::string(name);
  }
  return "";
}

}  // namespace

std::string RequestView::Header(std::string_view name) const {
  std::string out;
  bool any = false;
  for (const auto& [k, v] : headers) {
    if (!IEquals(k, name)) continue;
    if (any) out.push_back(',');
    out += v;
    any = true;
  }
  return out;
}

bool RequestView::HasHeader(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (IEquals(k, name)) return true;
  return false;
}

bool RequestView::HasQuery(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return true;
  return false;
}

std::string RequestView::Query(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return "";
}

int64_t ParseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
  for (size_t i = 0; i < 15; ++i)
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
  auto num = [&](size_t pos, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; ++i) v = v * 10 + (s[pos + i] - '0');
    return v;
  };
  struct tm tm {};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return -1;
  return static_cast<int64_t>(timegm(&tm));
}

AuthResult Authenticator::Verify(const RequestView& r, int64_t nowSec) const {
  if (r.HasHeader("Authorization")) return VerifyHeader(r, nowSec);
  if (r.HasQuery("X-Amz-Signature") || r.HasQuery("X-Amz-Credential")) return VerifyPresigned(r, nowSec);
  if (r.HasQuery("Signature") || r.HasQuery("AWSAccessKeyId"))
    return Fail("AccessDenied", "signature version 2 is not supported; sign requests with SigV4");
  return Fail("AccessDenied", "anonymous requests are not allowed; sign the request with SigV4");
}

AuthResult Authenticator::VerifyHeader(const RequestView& r, int64_t nowSec) const {
  std::string auth = r.Header("Authorization");
  constexpr std::string_view kAlgo = "AWS4-HMAC-SHA256";
  if (auth.rfind("AWS ", 0) == 0)
    return Fail("AccessDenied", "signature version 2 is not supported; sign requests with SigV4");
  if (auth.rfind(kAlgo, 0) != 0 || auth.size() <= kAlgo.size() || auth[kAlgo.size()] != ' ')
    return Fail("AuthorizationHeaderMalformed", "the authorization header must start with AWS4-HMAC-SHA256");
  std::string credential, signedHeaders, signature;
  for (auto part : Split(std::string_view(auth).substr(kAlgo.size() + 1), ',')) {
    part = Trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    auto k = part.substr(0, eq), v = part.substr(eq + 1);
    if (k == "Credential") credential = v;
    else if (k == "SignedHeaders") signedHeaders = v;
    else if (k == "Signature") signature = v;
  }
  Credential c;
  if (!ParseCredential(credential, &c) || signedHeaders.empty() || signature.empty())
    return Fail("AuthorizationHeaderMalformed", "the authorization header lacks Credential, SignedHeaders or Signature");
  if (c.accessKey != accessKey_) return Fail("InvalidAccessKeyId");
  if (c.service != "s3") return Fail("AuthorizationHeaderMalformed", "the credential's service must be s3");
  std::string amzDate = r.Header("x-amz-date");
  int64_t t = ParseAmzDate(amzDate);
  if (t < 0) return Fail("AccessDenied", "the request needs a valid x-amz-date header (YYYYMMDDTHHMMSSZ)");
  if (amzDate.substr(0, 8) != c.date)
    return Fail("AuthorizationHeaderMalformed", "the credential's date does not match x-amz-date");
  if (t < nowSec - maxSkewSec_ || t > nowSec + maxSkewSec_) return Fail("RequestTimeTooSkewed");
  std::string payload = r.Header("x-amz-content-sha256");
  if (payload.empty()) return Fail("InvalidRequest", "missing required header x-amz-content-sha256");

  sigv4::Request sr;
  sr.method = r.method;
  sr.path = r.path;
  sr.query = r.query;
  if (std::string missing = CollectSigned(r, signedHeaders, &sr.headers); !missing.empty())
    return Fail("SignatureDoesNotMatch", "signed header " + missing + " is missing");
  sr.payloadHash = payload;
  sigv4::Credentials creds{accessKey_, secretKey_, ""};
  sigv4::Signed s = sigv4::Sign(sr, creds, c.region, c.service, amzDate);
  if (!sigv4::SameSignature(s.signature, signature)) return Fail("SignatureDoesNotMatch");
  AuthResult res;
  res.payloadHash = payload;
  res.seedSignature = signature;
  res.amzDate = amzDate;
  res.scope = sigv4::Scope(c.date, c.region, c.service);
  if (payload == sigv4::kStreamingPayload) res.signingKey = sigv4::SigningKey(secretKey_, c.date, c.region, c.service);
  return res;
}

AuthResult Authenticator::VerifyPresigned(const RequestView& r, int64_t nowSec) const {
  if (r.Query("X-Amz-Algorithm") != "AWS4-HMAC-SHA256")
    return Fail("AuthorizationQueryParametersError", "X-Amz-Algorithm must be AWS4-HMAC-SHA256");
  Credential c;
  if (!ParseCredential(r.Query("X-Amz-Credential"), &c))
    return Fail("AuthorizationQueryParametersError", "X-Amz-Credential is malformed");
  if (c.accessKey != accessKey_) return Fail("InvalidAccessKeyId");
  std::string amzDate = r.Query("X-Amz-Date");
  int64_t t = ParseAmzDate(amzDate);
  if (t < 0 || amzDate.substr(0, 8) != c.date)
    return Fail("AuthorizationQueryParametersError", "X-Amz-Date is malformed or does not match the credential");
  std::string expStr = r.Query("X-Amz-Expires");
  int64_t expires = 0;
  for (char ch : expStr) {
    if (!std::isdigit(static_cast<unsigned char>(ch)) || expires > 604800) { expires = -1; break; }
    expires = expires * 10 + (ch - '0');
  }
  if (expStr.empty() || expires < 1 || expires > 604800)
    return Fail("AuthorizationQueryParametersError", "X-Amz-Expires must be 1..604800 seconds");
  if (t > nowSec + maxSkewSec_) return Fail("RequestTimeTooSkewed");
  if (nowSec > t + expires) return Fail("AccessDenied", "Request has expired");
  std::string signedHeaders = r.Query("X-Amz-SignedHeaders");
  if (signedHeaders.empty()) return Fail("AuthorizationQueryParametersError", "X-Amz-SignedHeaders is missing");

  sigv4::Request sr;
  sr.method = r.method;
  sr.path = r.path;
  for (const auto& kv : r.query)
    if (kv.first != "X-Amz-Signature") sr.query.push_back(kv);
  if (std::string missing = CollectSigned(r, signedHeaders, &sr.headers); !missing.empty())
    return Fail("SignatureDoesNotMatch", "signed header " + missing + " is missing");
  std::string payload = r.Header("x-amz-content-sha256");
  sr.payloadHash = payload.empty() ? std::string(sigv4::kUnsignedPayload) : payload;
  sigv4::Signed s = sigv4::Sign(sr, sigv4::Credentials{accessKey_, secretKey_, ""}, c.region, c.service, amzDate);
  if (!sigv4::SameSignature(s.signature, r.Query("X-Amz-Signature"))) return Fail("SignatureDoesNotMatch");
  AuthResult res;
  res.payloadHash = sr.payloadHash;
  return res;
}

}  // namespace slicefs::gateway
