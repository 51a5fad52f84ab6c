// Parsing of S3 bucket URLs into S3Config.
#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "common/url.h"
#include "object/s3_store.h"

namespace slicefs {

namespace {

Status BadUrl(const std::string& url, const std::string& why) {
  return Status::Invalid("bad S3 bucket URL '" + url + "': " + why +
                         " (expected e.g. http://127.0.0.1:9000/mybucket or "
                         "https://mybucket.s3.us-east-1.amazonaws.com)");
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool IsIp(const std::string& host) {
  if (host.find(':') != std::string::npos) return true;  // IPv6
  for (char c : host)
    if (!(isdigit(static_cast<unsigned char>(c)) || c == '.')) return false;
  return true;
}

// Splits "a.b.c" into labels.
std::vector<std::string> Labels(const std::string& host) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    out.push_back(host.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

// Region named by an AWS S3 endpoint host ("s3.eu-west-1.amazonaws.com",
// "s3-eu-west-1.amazonaws.com", "s3.amazonaws.com" -> us-east-1), starting
// at label `i`; "" if not an AWS S3 host.
std::string AwsRegion(const std::vector<std::string>& l, size_t i) {
  if (l.size() < i + 3 || l[l.size() - 2] != "amazonaws" || l.back() != "com") return "";
  const std::string& s3 = l[i];
  if (s3 == "s3") {
    if (l.size() == i + 3) return "us-east-1";
    std::string r = l[i + 1];
    if (r == "dualstack" && l.size() > i + 4) r = l[i + 2];
    return r;
  }
  if (s3.starts_with("s3-")) return s3.substr(3);
  return "";
}

Result<int64_t> ParseNum(const std::string& url, const std::string& name, const std::string& v) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 0)
    return Err(BadUrl(url, "option " + name + "='" + v + "' is not a non-negative integer"));
  return n;
}

}  // namespace

Result<S3Config> S3Config::Parse(const std::string& url, const std::string& accessKey,
                                 const std::string& secretKey, const std::string& sessionToken) {
  if (url.empty()) return Err(BadUrl(url, "empty; pass --bucket"));
  auto parsed = Url::Parse(url);
  if (!parsed) return Err(BadUrl(url, parsed.error().message()));
  Url& u = *parsed;
  S3Config c;
  ASSIGN_OR_RETURN(c.tls, TlsOptions::Take(u.query, url));  // tls-cacert-file, insecure-skip-verify, ...
  if (!c.tls.serverName.empty()) return Err(BadUrl(url, "tls-server-name is not supported for S3 endpoints"));
  if (c.tls.any() && u.scheme != "https") return Err(BadUrl(url, "TLS options need an https:// endpoint"));
  if (u.scheme != "http" && u.scheme != "https") return Err(BadUrl(url, "scheme must be http or https"));
  c.scheme = u.scheme;
  if (u.hosts.size() != 1) return Err(BadUrl(url, "exactly one host expected"));
  if (!u.user.empty() || !u.password.empty())
    return Err(BadUrl(url, "put credentials in --access-key/--secret-key, not in the URL"));
  c.host = u.hosts[0].host;
  c.port = u.hosts[0].port;
  for (auto& ch : c.host) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));

  std::string path = u.path;
  while (!path.empty() && path.back() == '/') path.pop_back();
  auto labels = Labels(c.host);
  std::string hostRegion;
  bool virtualHosted = false;
  if (!IsIp(c.host) && labels.size() >= 2) {
    if (std::string r = AwsRegion(labels, 0); !r.empty()) {
      hostRegion = r;  // s3.<region>.amazonaws.com/bucket: path-style
    } else if (std::string r1 = AwsRegion(labels, 1); !r1.empty()) {
      hostRegion = r1;  // bucket.s3.<region>.amazonaws.com: virtual-hosted
      virtualHosted = true;
    }
  }
  if (auto it = u.query.find("path-style"); it != u.query.end()) {
    if (it->second == "false" || it->second == "0") {
      if (IsIp(c.host)) return Err(BadUrl(url, "virtual-hosted style needs a host name, not an IP"));
      virtualHosted = true;
    } else {
      virtualHosted = false;
    }
  }
  if (virtualHosted) {
    c.pathStyle = false;
    if (!hostRegion.empty() || labels.size() >= 2) {
      c.bucket = labels[0];
      c.host = c.host.substr(labels[0].size() + 1);  // the service endpoint
    }
    c.keyPrefix = path;
  } else {
    c.pathStyle = true;
    auto slash = path.find('/');
    c.bucket = path.substr(0, slash);
    c.keyPrefix = slash == std::string::npos ? "" : path.substr(slash + 1);
    if (c.bucket.empty()) return Err(BadUrl(url, "no bucket name in the path"));
  }
  if (!c.keyPrefix.empty()) c.keyPrefix += "/";
  if (c.bucket.empty() || c.bucket.size() > 63) return Err(BadUrl(url, "bucket name must be 1..63 characters"));
  for (char ch : c.bucket)
    if (!(islower(static_cast<unsigned char>(ch)) || isdigit(static_cast<unsigned char>(ch)) || ch == '-' ||
          ch == '.' || ch == '_'))
      return Err(BadUrl(url, "bucket name '" + c.bucket + "' may hold only a-z 0-9 . - _"));

  // Region.
  if (auto it = u.query.find("region"); it != u.query.end() && !it->second.empty()) c.region = it->second;
  else if (!hostRegion.empty()) c.region = hostRegion;
  else if (std::string r = Env("AWS_REGION"); !r.empty()) c.region = r;
  else if (std::string r2 = Env("AWS_DEFAULT_REGION"); !r2.empty()) c.region = r2;

  // Tuning.
  for (const auto& [k, v] : u.query) {
    if (k == "region" || k == "path-style") continue;
    ASSIGN_OR_RETURN(int64_t n, ParseNum(url, k, v));
    if (k == "io-retries" || k == "retries") c.ioRetries = static_cast<int>(std::min<int64_t>(n, 1000));
    else if (k == "get-timeout") c.getTimeoutMs = std::max<int64_t>(n, 1) * 1000;
    else if (k == "put-timeout") c.putTimeoutMs = std::max<int64_t>(n, 1) * 1000;
    else if (k == "connect-timeout") c.connectTimeoutMs = std::max<int64_t>(n, 1) * 1000;
    else if (k == "connections") c.maxConnections = static_cast<size_t>(std::clamp<int64_t>(n, 1, 1024));
    else return Err(BadUrl(url, "unknown option '" + k + "'"));
  }

  // Credentials: explicit, else the environment.
  c.creds.accessKey = accessKey.empty() ? Env("AWS_ACCESS_KEY_ID") : accessKey;
  c.creds.secretKey = secretKey.empty() ? Env("AWS_SECRET_ACCESS_KEY") : secretKey;
  c.creds.sessionToken = sessionToken.empty() && accessKey.empty() ? Env("AWS_SESSION_TOKEN") : sessionToken;
  if (c.creds.accessKey.empty() || c.creds.secretKey.empty())
    return Err(Status::Invalid("no S3 credentials: pass --access-key and --secret-key or set "
                               "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
  return c;
}

std::string S3Config::hostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool defaultPort = port == 0 || (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  if (!pathStyle) h = bucket + "." + h;
  if (!defaultPort) h += ":" + std::to_string(port);
  return h;
}

std::string S3Config::describe() const {
  std::string base = scheme + "://" + hostHeader();
  return pathStyle ? base + "/" + bucket + (keyPrefix.empty() ? "" : "/" + keyPrefix) : base + "/" + keyPrefix;
}

}  // namespace slicefs
