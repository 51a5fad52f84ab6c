#include "gateway/call.h"

#include <ctime>

#include "gateway/aws_chunked.h"
#include "gateway/digest.h"
#include "object/s3_xml.h"
#include "object/sigv4.h"

namespace slicefs::gateway {

namespace {

std::string FormatTime(int64_t ns, const char* fmt, bool millis) {
  time_t t = static_cast<time_t>(ns / 1000000000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), fmt, &tm);
  std::string out = buf;
  if (millis) {
    char ms[8];
    std::snprintf(ms, sizeof(ms), ".%03dZ", static_cast<int>((ns / 1000000) % 1000));
    out += ms;
  }
  return out;
}

}  // namespace

std::string Iso8601(int64_t ns) { return FormatTime(ns, "%Y-%m-%dT%H:%M:%S", true); }
std::string HttpDate(int64_t ns) { return FormatTime(ns, "%a, %d %b %Y %H:%M:%S GMT", false); }
std::string Quoted(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

XmlOut& XmlOut::Open(std::string_view tag, bool ns) {
  s_ += "<" + std::string(tag) + (ns ? " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" : ">");
  return *this;
}
XmlOut& XmlOut::Close(std::string_view tag) {
  s_ += "</" + std::string(tag) + ">";
  return *this;
}
XmlOut& XmlOut::Elem(std::string_view tag, std::string_view text) {
  s_ += "<" + std::string(tag) + ">" + s3xml::XmlEscape(text) + "</" + std::string(tag) + ">";
  return *this;
}

void Gateway::Call::Error(const S3Error& e) {
  stats.errors++;
  res.status = e.http;
  if (e.http == 304 || req.method == "HEAD") {
    res.set_header("x-amz-error-code", e.code);
    return;
  }
  res.set_content(ErrorXml(e, req.path, requestId), "application/xml");
}

void Gateway::Call::Xml(int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/xml");
}

void Gateway::Call::Empty(int status) { res.status = status; }

S3Error Gateway::Call::ReadBody(const std::function<S3Error(std::string_view)>& sink) {
  if (!reader) return S3Error{};
  bodyRead = true;
  const std::string& ph = auth.payloadHash;
  const bool streamingSigned = ph == sigv4::kStreamingPayload;
  const bool streamingUnsigned = ph == sigv4::kStreamingUnsignedTrailer;
  if (ph.starts_with("STREAMING-") && !streamingSigned && !streamingUnsigned)
    return MakeError("NotImplemented", "payload signing " + ph + " is not supported");
  const bool checkSha = !ph.starts_with("STREAMING-") && ph != sigv4::kUnsignedPayload;
  std::string wantMd5 = H("Content-MD5");
  Digest sha = Digest::Sha256();
  Digest md5 = Digest::Md5();
  std::unique_ptr<AwsChunkedDecoder> dec;
  if (streamingSigned)
    dec = std::make_unique<AwsChunkedDecoder>(auth.signingKey, auth.amzDate, auth.scope, auth.seedSignature);
  else if (streamingUnsigned)
    dec = std::make_unique<AwsChunkedDecoder>();
  S3Error err;
  auto deliver = [&](std::string_view data) -> bool {
    if (end && end->aborting()) {
      err = MakeError("ServiceUnavailable", "the gateway is shutting down");
      return false;
    }
    if (checkSha) sha.Update(data);
    if (!wantMd5.empty()) md5.Update(data);
    err = sink(data);
    return err.ok();
  };
  bool ok = (*reader)([&](const char* data, size_t len) {
    stats.bytesIn += len;
    if (end) end->bytesIn += len;
    if (dec) {
      S3Error e = dec->Feed(std::string_view(data, len), deliver);
      if (!e.ok() && err.ok()) err = e;
      return e.ok();
    }
    return deliver(std::string_view(data, len));
  });
  if (!err.ok()) return err;
  if (!ok) return MakeError("IncompleteBody");
  if (dec) {
    if (S3Error e = dec->Finish(); !e.ok()) return e;
    std::string decl = H("x-amz-decoded-content-length");
    if (!decl.empty() && decl != std::to_string(dec->decodedBytes()))
      return MakeError("IncompleteBody", "x-amz-decoded-content-length does not match the decoded body");
  }
  if (checkSha && sha.FinalHex() != ph) return MakeError("XAmzContentSHA256Mismatch");
  if (!wantMd5.empty()) {
    std::string raw = md5.Final();
    unsigned char b64[64];
    int n = EVP_EncodeBlock(b64, reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
    if (wantMd5 != std::string_view(reinterpret_cast<const char*>(b64), n)) return MakeError("BadDigest");
  }
  return S3Error{};
}

S3Error Gateway::Call::ReadSmallBody(std::string* out, size_t max) {
  out->clear();
  return ReadBody([&](std::string_view d) -> S3Error {
    if (out->size() + d.size() > max) return MakeError("EntityTooLarge", "the request body is too large");
    out->append(d);
    return S3Error{};
  });
}

ObjectMeta MetaFromHeaders(const RequestView& v) {
  ObjectMeta m;
  m.contentType = v.Header("Content-Type");
  for (const auto& [k, val] : v.headers) {
    if (k.size() > 11 && strncasecmp(k.c_str(), "x-amz-meta-", 11) == 0) {
      std::string name = k.substr(11);
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      m.user[name] = val;
    }
  }
  return m;
}

void SetObjectHeaders(httplib::Response& res, const ObjectInfo& o) {
  res.set_header("ETag", Quoted(o.etag));
  res.set_header("Last-Modified", HttpDate(o.mtimeNs));
  res.set_header("Accept-Ranges", "bytes");
  for (const auto& [k, v] : o.meta.user) res.set_header("x-amz-meta-" + k, v);
}

}  // namespace slicefs::gateway
