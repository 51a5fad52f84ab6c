// Object-level S3 operations: Put/Get/Head/Delete/Copy and multipart.
#include <fcntl.h>

#include <charconv>
#include <memory>

#include "gateway/call.h"
#include "object/s3_xml.h"

namespace slicefs::gateway {

namespace {

constexpr size_t kReadBlock = 1 << 20;

bool ParseU64(std::string_view s, uint64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// "bytes=a-b" | "bytes=a-" | "bytes=-n" against size. 0: no (usable)
// range, serve all; 1: range set; -1: unsatisfiable.
int ParseRange(std::string_view h, uint64_t size, uint64_t* start, uint64_t* len) {
  if (!h.starts_with("bytes=")) return 0;
  h.remove_prefix(6);
  if (h.find(',') != std::string_view::npos) return 0;  // S3 ignores multi-ranges
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return 0;
  std::string_view a = h.substr(0, dash), b = h.substr(dash + 1);
  uint64_t x = 0, y = 0;
  if (a.empty()) {
    if (!ParseU64(b, &y)) return 0;
    if (y == 0) return -1;
    if (size == 0) return 0;
    y = std::min(y, size);
    *start = size - y;
    *len = y;
    return 1;
  }
  if (!ParseU64(a, &x)) return 0;
  if (!b.empty() && (!ParseU64(b, &y) || y < x)) return 0;
  if (x >= size) return -1;
  uint64_t end = b.empty() ? size - 1 : std::min(y, size - 1);
  *start = x;
  *len = end - x + 1;
  return 1;
}

bool EtagMatches(const std::string& header, const std::string& etag) {
  std::string_view h = header;
  while (!h.empty()) {
    size_t comma = h.find(',');
    std::string_view t = h.substr(0, comma);
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    if (t.starts_with("W/")) t.remove_prefix(2);
    if (t == "*" || t == Quoted(etag) || t == etag) return true;
    if (comma == std::string_view::npos) break;
    h.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

void Gateway::ObjectOp(Call& c) {
  const std::string& m = c.req.method;
  if (m == "PUT") {
    if (c.Has("uploadId") || c.Has("partNumber")) return UploadPart(c);
    if (c.view.HasHeader("x-amz-copy-source")) return CopyObject(c);
    if (c.Has("acl") || c.Has("tagging") || c.Has("retention") || c.Has("legal-hold"))
      return c.Error(MakeError("NotImplemented", "object sub-resources are not supported"));
    return PutObject(c);
  }
  if (m == "POST") {
    if (c.Has("uploads")) return CreateUpload(c);
    if (c.Has("uploadId")) return CompleteUpload(c);
    return c.Error(MakeError("MethodNotAllowed"));
  }
  if (m == "DELETE") {
    if (c.Has("uploadId")) {
      if (S3Error e = mp_.Abort(c.bucket, c.key, c.Q("uploadId")); !e.ok()) return c.Error(e);
      return c.Empty(204);
    }
    if (S3Error e = s3_.Delete(c.bucket, c.key); !e.ok()) return c.Error(e);
    return c.Empty(204);
  }
  if (m == "GET" && c.Has("uploadId")) return ListParts(c);
  if (m == "GET" && (c.Has("acl") || c.Has("tagging")))
    return c.Error(MakeError("NotImplemented", "object sub-resources are not supported"));
  if (m == "GET" || m == "HEAD") return GetObject(c, m == "HEAD");
  return c.Error(MakeError("MethodNotAllowed"));
}

void Gateway::PutObject(Call& c) {
  if (c.key.back() == '/') {
    std::string body;
    if (S3Error e = c.ReadSmallBody(&body, 0); !e.ok())
      return c.Error(MakeError("InvalidArgument", "a folder object (key ending in '/') must be empty"));
    if (S3Error e = s3_.PutFolder(c.bucket, c.key); !e.ok()) return c.Error(e);
    c.res.set_header("ETag", Quoted("d41d8cd98f00b204e9800998ecf8427e"));
    return c.Empty(200);
  }
  std::unique_ptr<ObjectWriter> w;
  if (S3Error e = s3_.BeginPut(c.bucket, c.key, &w); !e.ok()) return c.Error(e);
  if (S3Error e = c.ReadBody([&](std::string_view d) { return w->Write(d); }); !e.ok()) return c.Error(e);
  std::string etag;
  if (S3Error e = w->Commit(MetaFromHeaders(c.view), &etag); !e.ok()) return c.Error(e);
  c.res.set_header("ETag", Quoted(etag));
  c.Empty(200);
}

void Gateway::GetObject(Call& c, bool head) {
  ObjectInfo o;
  if (S3Error e = s3_.Stat(c.bucket, c.key, true, &o); !e.ok()) return c.Error(e);
  // Conditions, in S3's order of precedence.
  const int64_t mtimeSec = o.mtimeNs / 1000000000;
  std::string im = c.H("If-Match"), inm = c.H("If-None-Match");
  std::string ims = c.H("If-Modified-Since"), ius = c.H("If-Unmodified-Since");
  if (!im.empty() && !EtagMatches(im, o.etag)) return c.Error(MakeError("PreconditionFailed"));
  if (im.empty() && !ius.empty()) {
    int64_t t = s3xml::ParseHttpDateNs(ius) / 1000000000;
    if (t > 0 && mtimeSec > t) return c.Error(MakeError("PreconditionFailed"));
  }
  if (!inm.empty() && EtagMatches(inm, o.etag)) {
    SetObjectHeaders(c.res, o);
    return c.Error(MakeError("NotModified"));
  }
  if (inm.empty() && !ims.empty()) {
    int64_t t = s3xml::ParseHttpDateNs(ims) / 1000000000;
    if (t > 0 && mtimeSec <= t) {
      SetObjectHeaders(c.res, o);
      return c.Error(MakeError("NotModified"));
    }
  }
  SetObjectHeaders(c.res, o);
  std::string ctype = o.meta.contentType.empty() ? std::string(kDefaultContentType) : o.meta.contentType;
  uint64_t start = 0, len = o.size;
  int r = ParseRange(c.H("Range"), o.size, &start, &len);
  if (r < 0) {
    c.res.set_header("Content-Range", "bytes */" + std::to_string(o.size));
    return c.Error(MakeError("InvalidRange"));
  }
  if (r > 0) {
    c.res.set_header("Content-Range",
                     "bytes " + std::to_string(start) + "-" + std::to_string(start + len - 1) + "/" + std::to_string(o.size));
  }
  c.res.status = r > 0 ? 206 : 200;
  if (len == 0 || o.dir) {
    c.res.set_header("Content-Type", ctype);
    if (head) c.res.set_header("Content-Length", "0");
    return;
  }
  std::string path;
  (void)s3_.ObjectPath(c.bucket, c.key, &path);
  auto f = s3_.fs().Open(path, O_RDONLY);
  if (!f) return c.Error(FromStatus(f.error()));
  if (head) {
    // httplib sends the length of a provider without calling it for HEAD.
    c.res.set_content_provider(len, ctype, [](size_t, size_t, httplib::DataSink&) { return true; });
    return;
  }
  auto file = std::make_shared<PathFile>(std::move(*f));
  auto buf = std::make_shared<std::string>();
  GatewayStats* stats = &stats_;
  std::shared_ptr<RequestEnd> end = c.end;  // in flight until the body is sent
  c.res.set_content_provider(
      len, ctype, [file, buf, start, stats, end](size_t off, size_t want, httplib::DataSink& sink) {
        if (end->aborting()) return false;
        size_t n = std::min(want, kReadBlock);
        buf->resize(n);
        auto got = file->Read(start + off, std::span<char>(buf->data(), n));
        if (!got || *got == 0) return false;
        stats->bytesOut += *got;
        end->bytesOut += *got;
        return sink.write(buf->data(), *got);
      },
      [file, end](bool) { (void)file->Close(); });
}

void Gateway::CopyObject(Call& c) {
  std::string src = httplib::detail::decode_url(c.H("x-amz-copy-source"), false);
  if (size_t q = src.find('?'); q != std::string::npos) src.resize(q);
  if (!src.empty() && src.front() == '/') src.erase(0, 1);
  size_t slash = src.find('/');
  if (slash == std::string::npos || slash + 1 >= src.size())
    return c.Error(MakeError("InvalidArgument", "x-amz-copy-source must be bucket/key"));
  std::string sb = src.substr(0, slash), sk = src.substr(slash + 1);
  std::string directive = c.H("x-amz-metadata-directive");
  if (!directive.empty() && directive != "COPY" && directive != "REPLACE")
    return c.Error(MakeError("InvalidArgument", "x-amz-metadata-directive must be COPY or REPLACE"));
  const bool replace = directive == "REPLACE";
  std::string body;
  if (S3Error e = c.ReadSmallBody(&body, 0); !e.ok()) return c.Error(e);
  ObjectInfo si;
  if (S3Error e = s3_.Stat(sb, sk, false, &si); !e.ok()) return c.Error(e);
  std::string cim = c.H("x-amz-copy-source-if-match"), cinm = c.H("x-amz-copy-source-if-none-match");
  if ((!cim.empty() && !EtagMatches(cim, si.etag)) || (!cinm.empty() && EtagMatches(cinm, si.etag)))
    return c.Error(MakeError("PreconditionFailed"));
  ObjectInfo out;
  if (S3Error e = s3_.Copy(sb, sk, c.bucket, c.key, replace, MetaFromHeaders(c.view), &out); !e.ok())
    return c.Error(e);
  XmlOut x;
  x.Open("CopyObjectResult", true).Elem("LastModified", Iso8601(out.mtimeNs)).Elem("ETag", Quoted(out.etag));
  x.Close("CopyObjectResult");
  c.Xml(200, x.str());
}

void Gateway::CreateUpload(Call& c) {
  std::string body, id;
  if (S3Error e = c.ReadSmallBody(&body, 64 << 10); !e.ok()) return c.Error(e);
  if (S3Error e = mp_.Create(c.bucket, c.key, MetaFromHeaders(c.view), &id); !e.ok()) return c.Error(e);
  XmlOut x;
  x.Open("InitiateMultipartUploadResult", true).Elem("Bucket", c.bucket).Elem("Key", c.key).Elem("UploadId", id);
  x.Close("InitiateMultipartUploadResult");
  c.Xml(200, x.str());
}

void Gateway::UploadPart(Call& c) {
  uint64_t n = 0;
  if (!ParseU64(c.Q("partNumber"), &n) || n < 1 || n > static_cast<uint64_t>(kMaxPartNumber))
    return c.Error(MakeError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive"));
  if (c.view.HasHeader("x-amz-copy-source"))
    return c.Error(MakeError("NotImplemented", "UploadPartCopy is not supported; use CopyObject"));
  std::unique_ptr<ObjectWriter> w;
  if (S3Error e = mp_.BeginPart(c.bucket, c.key, c.Q("uploadId"), static_cast<int>(n), &w); !e.ok())
    return c.Error(e);
  if (S3Error e = c.ReadBody([&](std::string_view d) { return w->Write(d); }); !e.ok()) return c.Error(e);
  std::string etag;
  if (S3Error e = w->Commit(ObjectMeta{}, &etag); !e.ok()) return c.Error(e);
  c.res.set_header("ETag", Quoted(etag));
  c.Empty(200);
}

void Gateway::CompleteUpload(Call& c) {
  std::string body;
  if (S3Error e = c.ReadSmallBody(&body); !e.ok()) return c.Error(e);
  if (s3xml::Elements(body, "CompleteMultipartUpload").empty()) return c.Error(MakeError("MalformedXML"));
  std::vector<PartRef> parts;
  for (auto p : s3xml::Elements(body, "Part")) {
    PartRef r;
    uint64_t n = 0;
    if (!ParseU64(s3xml::FirstText(p, "PartNumber"), &n) || n < 1 || n > static_cast<uint64_t>(kMaxPartNumber))
      return c.Error(MakeError("MalformedXML", "a Part lacks a valid PartNumber"));
    r.number = static_cast<int>(n);
    r.etag = s3xml::FirstText(p, "ETag");
    parts.push_back(std::move(r));
  }
  std::string etag;
  if (S3Error e = mp_.Complete(c.bucket, c.key, c.Q("uploadId"), parts, &etag); !e.ok()) return c.Error(e);
  XmlOut x;
  x.Open("CompleteMultipartUploadResult", true).Elem("Location", "/" + c.bucket + "/" + c.key);
  x.Elem("Bucket", c.bucket).Elem("Key", c.key).Elem("ETag", Quoted(etag)).Close("CompleteMultipartUploadResult");
  c.Xml(200, x.str());
}

void Gateway::ListParts(Call& c) {
  uint64_t marker = 0, max = 1000;
  if ((!c.Q("part-number-marker").empty() && !ParseU64(c.Q("part-number-marker"), &marker)) ||
      (!c.Q("max-parts").empty() && !ParseU64(c.Q("max-parts"), &max)))
    return c.Error(MakeError("InvalidArgument", "part-number-marker and max-parts must be numbers"));
  max = std::min<uint64_t>(max, 1000);
  std::vector<PartInfo> parts;
  bool truncated = false;
  if (S3Error e = mp_.ListParts(c.bucket, c.key, c.Q("uploadId"), static_cast<int>(std::min<uint64_t>(marker, 10000)),
                                static_cast<int>(max), &parts, &truncated);
      !e.ok())
    return c.Error(e);
  XmlOut x;
  x.Open("ListPartsResult", true).Elem("Bucket", c.bucket).Elem("Key", c.key).Elem("UploadId", c.Q("uploadId"));
  x.Elem("PartNumberMarker", marker);
  if (!parts.empty()) x.Elem("NextPartNumberMarker", static_cast<uint64_t>(parts.back().number));
  x.Elem("MaxParts", max).Elem("IsTruncated", truncated ? "true" : "false").Elem("StorageClass", "STANDARD");
  for (const auto& p : parts) {
    x.Open("Part").Elem("PartNumber", static_cast<uint64_t>(p.number)).Elem("LastModified", Iso8601(p.mtimeNs));
    x.Elem("ETag", Quoted(p.etag)).Elem("Size", p.size).Close("Part");
  }
  x.Close("ListPartsResult");
  c.Xml(200, x.str());
}

}  // namespace slicefs::gateway
