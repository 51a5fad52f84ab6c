#include "object/s3_store.h"

#include <cstdlib>
#include <algorithm>
#include <chrono>
#include <ctime>

#include "common/retry.h"
#include "object/s3_xml.h"

namespace slicefs {

namespace {

bool RetryableCode(const std::string& code) {
  return code == "SlowDown" || code == "InternalError" || code == "ServiceUnavailable" ||
         code == "RequestTimeout" || code == "Throttling" || code == "ThrottlingException" ||
         code == "RequestLimitExceeded" || code == "TooManyRequests" || code == "OperationAborted";
}

// Maps a non-2xx response to a Status (retryable or final).
Status Classify(const HttpResponse& r, const std::string& what, const S3Config& cfg) {
  auto err = s3xml::ParseError(r.body);
  std::string detail = "HTTP " + std::to_string(r.status);
  if (!err.code.empty()) detail += " " + err.code;
  if (!err.message.empty()) detail += " (" + err.message + ")";
  std::string msg = what + ": " + detail;
  if (err.code == "NoSuchBucket")
    return Status::Error(ENXIO, what + ": bucket '" + cfg.bucket + "' does not exist at " + cfg.describe());
  if (err.code == "InvalidAccessKeyId")
    return Status::Error(EACCES, what + ": access key '" + cfg.creds.accessKey + "' is not known to " +
                                     cfg.describe() + " (InvalidAccessKeyId)");
  if (err.code == "SignatureDoesNotMatch")
    return Status::Error(EACCES, what + ": the secret key is wrong for access key '" + cfg.creds.accessKey +
                                     "' (SignatureDoesNotMatch)");
  if (r.status == 403 && err.code.empty())
    return Status::Error(EACCES, msg + ": access denied; check the access key and secret key");
  if (r.status == 403 || err.code == "AccessDenied" || err.code == "InvalidToken" ||
      err.code == "ExpiredToken" || err.code == "RequestTimeTooSkewed")
    return Status::Error(EACCES, msg);
  if (r.status == 404) return Status::Error(ENOENT, msg);
  if (err.code == "PermanentRedirect" || err.code == "AuthorizationHeaderMalformed" || r.status == 301)
    return Status::Error(EIO, msg + "; is the region right? (current: " + cfg.region + ", set ?region=)");
  if (r.status == 501 || r.status == 405 || err.code == "NotImplemented" || err.code == "MethodNotAllowed")
    return Status::Error(ENOTSUP, msg);
  if (r.status == 429 || r.status >= 500 || RetryableCode(err.code)) return Status::Retryable(EIO, msg);
  if (r.status == 400 && err.code == "InvalidArgument") return Status::Error(EINVAL, msg);
  return Status::Error(EIO, msg);
}


}  // namespace

S3Store::S3Store(S3Config cfg) : cfg_(std::move(cfg)), http_(cfg_.maxConnections) {}

std::string S3Store::describe() const { return cfg_.describe(); }

std::string S3Store::objectPath(const std::string& fullKey) const {
  std::string p = "/";
  if (cfg_.pathStyle) {
    p += cfg_.bucket;
    if (!fullKey.empty()) p += "/";
  }
  return p + fullKey;
}

Result<HttpResponse> S3Store::attempt(const Call& c) {
  sigv4::Request sr;
  sr.method = c.method;
  sr.path = objectPath(c.key);
  sr.query = c.query;
  sr.headers.emplace_back("host", cfg_.hostHeader());
  for (const auto& h : c.headers) sr.headers.push_back(h);
  sr.payloadHash = c.body.empty() ? std::string(sigv4::kEmptySha256)
                                  : sigv4::Sha256Hex(std::string_view(c.body.data(), c.body.size()));
  sigv4::SignS3(sr, cfg_.creds, cfg_.region, static_cast<int64_t>(::time(nullptr)));

  HttpRequest hr;
  hr.method = c.method;
  std::string hostPart = cfg_.host.find(':') != std::string::npos ? "[" + cfg_.host + "]" : cfg_.host;
  if (!cfg_.pathStyle) hostPart = cfg_.bucket + "." + hostPart;
  if (cfg_.port) hostPart += ":" + std::to_string(cfg_.port);
  hr.url = cfg_.scheme + "://" + hostPart + sigv4::UriEncode(sr.path, false);
  std::string qs = sigv4::CanonicalQuery(c.query);
  if (!qs.empty()) hr.url += "?" + qs;
  hr.headers = std::move(sr.headers);
  hr.body = c.body;
  hr.timeoutMs = c.isRead ? cfg_.getTimeoutMs : cfg_.putTimeoutMs;
  hr.connectTimeoutMs = std::min(cfg_.connectTimeoutMs, hr.timeoutMs);
  hr.maxResponseBytes = c.maxResponseBytes;
  hr.tls = &cfg_.tls;
  requests_.fetch_add(1, std::memory_order_relaxed);
  return http_.perform(hr);
}

RetryPolicy S3Config::retryPolicy() const {
  return RetryPolicy{.maxAttempts = ioRetries + 1,
                     .minBackoff = std::chrono::milliseconds(backoffBaseMs),
                     .maxBackoff = std::chrono::milliseconds(backoffMaxMs)};
}

Result<HttpResponse> S3Store::send(const Call& c, const std::string& what) {
  // A fresh signature per attempt (the date is part of it). 404 and 416 are
  // answers the callers interpret, not failures.
  return RunWithRetry(cfg_.retryPolicy(), [&]() -> Result<HttpResponse> {
    auto r = attempt(c);
    if (!r) return Err(r.error().WithContext(what));
    if ((r->status >= 200 && r->status < 300) || r->status == 404 || r->status == 416) return r;
    return Err(Classify(*r, what, cfg_));
  });
}

Status S3Store::put(const std::string& key, std::span<const char> data) {
  Call c{"PUT", cfg_.keyPrefix + key, {}, data, {{"Content-Type", "application/octet-stream"}}, false};
  auto r = send(c, "put " + key);
  if (!r) return r.error();
  if (r->status == 404) return Classify(*r, "put " + key, cfg_);
  return Status::OK();
}

Result<std::string> S3Store::get(const std::string& key, uint64_t off, int64_t len) {
  if (len == 0) {
    ASSIGN_OR_RETURN(auto info, head(key));
    (void)info;
    return std::string();
  }
  Call c{"GET", cfg_.keyPrefix + key, {}, {}, {}, true};
  if (off > 0 || len > 0) {
    std::string range = "bytes=" + std::to_string(off) + "-";
    if (len > 0) range += std::to_string(off + static_cast<uint64_t>(len) - 1);
    c.headers.emplace_back("Range", range);
  }
  auto r = send(c, "get " + key);
  if (!r) return Err(r.error());
  if (r->status == 416) return std::string();  // range starts past the end
  if (r->status == 404) return Err(Classify(*r, "get " + key, cfg_));
  if (r->status == 200 && (off > 0 || len > 0)) {
    // The server ignored the range: cut it out ourselves.
    if (off >= r->body.size()) return std::string();
    return r->body.substr(off, len < 0 ? std::string::npos : static_cast<size_t>(len));
  }
  if (r->status == 206 && len > 0 && r->body.size() > static_cast<uint64_t>(len)) {
    // More than asked for (s3rver answers "bytes=0-0" with the whole
    // object): cut it by where Content-Range says the body starts.
    uint64_t start = off;
    const std::string cr = r->header("content-range");  // "bytes START-END/TOTAL"
    if (cr.rfind("bytes ", 0) == 0) start = std::strtoull(cr.c_str() + 6, nullptr, 10);
    if (start > off || off - start >= r->body.size()) {
      return Err(Status::IOError("get " + key + ": server sent range '" + cr + "' for bytes from " + std::to_string(off)));
    }
    return r->body.substr(off - start, static_cast<size_t>(len));
  }
  return std::move(r->body);
}

Status S3Store::del(const std::string& key) {
  Call c{"DELETE", cfg_.keyPrefix + key, {}, {}, {}, false};
  auto r = send(c, "delete " + key);
  if (!r) return r.error();
  if (r->status == 404) {
    Status st = Classify(*r, "delete " + key, cfg_);
    if (st.is(ENOENT)) return Status::OK();
    return st;
  }
  return Status::OK();
}

Status S3Store::delMany(const std::vector<std::string>& keys) {
  for (size_t start = 0; start < keys.size(); start += 1000) {
    size_t end = std::min(keys.size(), start + 1000);
    if (multiDeleteUnsupported_.load()) {
      for (size_t i = start; i < end; i++) RETURN_IF_ERROR(del(keys[i]));
      continue;
    }
    std::vector<std::string> full;
    for (size_t i = start; i < end; i++) full.push_back(cfg_.keyPrefix + keys[i]);
    std::string body = s3xml::BuildDeleteBody(full);
    Call c{"POST", "", {{"delete", ""}}, std::span<const char>(body.data(), body.size()),
           {{"Content-MD5", sigv4::Md5Base64(body)}, {"Content-Type", "application/xml"}}, false};
    auto r = send(c, "multi-delete");
    if (!r && r.error().is(ENOTSUP)) {
      // The server has no multi-object delete: use single DELETEs from now on.
      multiDeleteUnsupported_.store(true);
      for (size_t i = start; i < end; i++) RETURN_IF_ERROR(del(keys[i]));
      continue;
    }
    if (!r) return r.error();
    auto errors = s3xml::ParseDeleteErrors(r->body);
    if (!errors.empty())
      return Status::IOError("multi-delete: " + std::to_string(errors.size()) + " keys failed, first " + errors[0]);
  }
  return Status::OK();
}

Result<ObjectInfo> S3Store::head(const std::string& key) {
  Call c{"HEAD", cfg_.keyPrefix + key, {}, {}, {}, true};
  auto r = send(c, "head " + key);
  if (!r) return Err(r.error());
  if (r->status == 404) return Err(Status::NotFound("head " + key + ": no such object"));
  ObjectInfo info;
  info.key = key;
  std::string len = r->header("content-length");
  info.size = len.empty() ? 0 : std::stoull(len);
  info.mtimeNs = s3xml::ParseHttpDateNs(r->header("last-modified"));
  return info;
}

Result<ListPage> S3Store::list(const std::string& prefix, const std::string& startAfter, size_t limit) {
  if (limit == 0) limit = 1000;
  ListPage page;
  std::string token;
  while (true) {
    size_t want = std::min<size_t>(limit - page.objects.size(), std::max<size_t>(cfg_.listPageSize, 1));
    Call c{"GET", "", {{"list-type", "2"}, {"prefix", cfg_.keyPrefix + prefix}, {"max-keys", std::to_string(want)}},
           {}, {}, true};
    if (!token.empty()) c.query.emplace_back("continuation-token", token);
    else if (!startAfter.empty()) c.query.emplace_back("start-after", cfg_.keyPrefix + startAfter);
    auto r = send(c, "list " + prefix);
    if (!r) return Err(r.error());
    if (r->status == 404) return Err(Classify(*r, "list " + prefix, cfg_));
    auto res = s3xml::ParseListV2(r->body);
    for (auto& o : res.objects) {
      if (!o.key.starts_with(cfg_.keyPrefix)) continue;
      o.key = o.key.substr(cfg_.keyPrefix.size());
      if (!startAfter.empty() && o.key <= startAfter) continue;
      if (page.objects.size() < limit) page.objects.push_back(std::move(o));
    }
    if (!res.truncated) {
      page.truncated = false;
      break;
    }
    if (page.objects.size() >= limit) {
      page.truncated = true;
      break;
    }
    if (res.nextToken.empty()) {
      return Err(Status::IOError("list " + prefix + ": truncated listing without a continuation token"));
    }
    token = res.nextToken;
  }
  return page;
}

Status S3Store::checkBucket() {
  Call c{"HEAD", "", {}, {}, {}, true};
  auto r = send(c, "head bucket");
  if (!r) return r.error();
  if (r->status == 404)
    return Status::Error(ENXIO, "bucket '" + cfg_.bucket + "' does not exist at " + cfg_.describe());
  return Status::OK();
}

Status S3Store::create() {
  Status st = checkBucket();
  if (st.ok() || !st.is(ENXIO)) return st;
  std::string body;
  if (cfg_.region != "us-east-1") {
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
           "<LocationConstraint>" + cfg_.region + "</LocationConstraint></CreateBucketConfiguration>";
  }
  Call c{"PUT", "", {}, std::span<const char>(body.data(), body.size()), {}, false};
  auto r = send(c, "create bucket " + cfg_.bucket);
  if (r && r->status < 300) return Status::OK();
  Status err = r ? Classify(*r, "create bucket " + cfg_.bucket, cfg_) : r.error();
  // Someone (maybe we, on a retried request) created it meanwhile.
  if (err.message().find("BucketAlreadyOwnedByYou") != std::string::npos) return Status::OK();
  if (err.message().find("BucketAlreadyExists") != std::string::npos && checkBucket().ok()) return Status::OK();
  return err;
}

Result<std::unique_ptr<S3Store>> OpenS3Store(const VolumeFormat& fmt) {
  ASSIGN_OR_RETURN(auto cfg, S3Config::FromFormat(fmt));
  return std::make_unique<S3Store>(std::move(cfg));
}

}  // namespace slicefs
