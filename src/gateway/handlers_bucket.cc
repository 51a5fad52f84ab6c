// Service- and bucket-level S3 operations.
#include <charconv>

#include "gateway/call.h"
#include "gateway/listing.h"
#include "object/s3_xml.h"
#include "object/sigv4.h"

namespace slicefs::gateway {

namespace {

// Parses a non-negative integer query value; false if malformed.
bool ParseCount(const std::string& s, size_t* out) {
  if (s.empty()) return true;
  size_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  *out = v;
  return true;
}

bool Unhex(std::string_view s, std::string* out) {
  if (s.size() % 2) return false;
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
    if (ec != std::errc() || p != s.data() + i + 2) return false;
    out->push_back(static_cast<char>(v));
  }
  return true;
}

}  // namespace

void Gateway::ListBuckets(Call& c) {
  std::vector<BucketInfo> bs;
  if (S3Error e = s3_.ListBuckets(&bs); !e.ok()) return c.Error(e);
  XmlOut x;
  x.Open("ListAllMyBucketsResult", true).Open("Owner").Elem("ID", "slicefs").Elem("DisplayName", "slicefs");
  x.Close("Owner").Open("Buckets");
  for (const auto& b : bs) x.Open("Bucket").Elem("Name", b.name).Elem("CreationDate", Iso8601(b.ctimeNs)).Close("Bucket");
  x.Close("Buckets").Close("ListAllMyBucketsResult");
  c.Xml(200, x.str());
}

void Gateway::BucketOp(Call& c) {
  const std::string& m = c.req.method;
  if (m == "PUT") {
    std::string body;
    if (S3Error e = c.ReadSmallBody(&body, 64 << 10); !e.ok()) return c.Error(e);
    if (c.Has("acl") || c.Has("policy") || c.Has("versioning") || c.Has("tagging") || c.Has("cors") ||
        c.Has("lifecycle"))
      return c.Error(MakeError("NotImplemented", "bucket sub-resources are not supported"));
    if (S3Error e = s3_.CreateBucket(c.bucket); !e.ok()) return c.Error(e);
    c.res.set_header("Location", "/" + c.bucket);
    return c.Empty(200);
  }
  if (m == "DELETE") {
    if (S3Error e = s3_.DeleteBucket(c.bucket); !e.ok()) return c.Error(e);
    return c.Empty(204);
  }
  if (m == "POST") {
    if (c.Has("delete")) return DeleteObjects(c);
    return c.Error(MakeError("MethodNotAllowed"));
  }
  if (m != "GET" && m != "HEAD") return c.Error(MakeError("MethodNotAllowed"));
  if (S3Error e = s3_.HeadBucket(c.bucket); !e.ok()) return c.Error(e);
  if (m == "HEAD") return c.Empty(200);
  if (c.Has("location")) {
    XmlOut x;
    x.Open("LocationConstraint", true).Close("LocationConstraint");
    return c.Xml(200, x.str());
  }
  if (c.Has("versioning")) {
    XmlOut x;
    x.Open("VersioningConfiguration", true).Close("VersioningConfiguration");
    return c.Xml(200, x.str());
  }
  if (c.Has("uploads")) return ListUploads(c);
  if (c.Has("acl") || c.Has("policy") || c.Has("tagging") || c.Has("cors") || c.Has("lifecycle") ||
      c.Has("versions") || c.Has("website") || c.Has("encryption") || c.Has("object-lock"))
    return c.Error(MakeError("NotImplemented", "bucket sub-resources are not supported"));
  return ListObjectsOp(c, c.Q("list-type") == "2");
}

void Gateway::ListObjectsOp(Call& c, bool v2) {
  ListParams p;
  p.prefix = c.Q("prefix");
  p.delimiter = c.Q("delimiter");
  if (!ParseCount(c.Q("max-keys"), &p.maxKeys)) return c.Error(MakeError("InvalidArgument", "max-keys must be a number"));
  p.maxKeys = std::min<size_t>(p.maxKeys, 1000);
  const bool url = c.Q("encoding-type") == "url";
  if (!c.Q("encoding-type").empty() && !url)
    return c.Error(MakeError("InvalidArgument", "encoding-type must be url"));
  std::string token = c.Q("continuation-token");
  if (v2) {
    if (c.Has("continuation-token")) {
      if (token.empty() || !Unhex(token, &p.after))
        return c.Error(MakeError("InvalidArgument", "The continuation token provided is incorrect"));
    } else {
      p.after = c.Q("start-after");
    }
  } else {
    p.after = c.Q("marker");
  }
  ListOutput out;
  if (S3Error e = ListObjects(s3_, c.bucket, p, &out); !e.ok()) return c.Error(e);
  auto enc = [&](const std::string& s) { return url ? sigv4::UriEncode(s, false) : s; };
  XmlOut x;
  x.Open("ListBucketResult", true).Elem("Name", c.bucket).Elem("Prefix", enc(p.prefix));
  if (v2) {
    x.Elem("KeyCount", out.objects.size() + out.prefixes.size());
    if (c.Has("continuation-token")) x.Elem("ContinuationToken", token);
    if (c.Has("start-after")) x.Elem("StartAfter", enc(c.Q("start-after")));
    if (out.truncated) x.Elem("NextContinuationToken", sigv4::Hex(out.last));
  } else {
    x.Elem("Marker", enc(p.after));
    if (out.truncated) x.Elem("NextMarker", enc(out.last));
  }
  x.Elem("MaxKeys", p.maxKeys);
  if (!p.delimiter.empty()) x.Elem("Delimiter", enc(p.delimiter));
  if (url) x.Elem("EncodingType", "url");
  x.Elem("IsTruncated", out.truncated ? "true" : "false");
  for (const auto& o : out.objects) {
    x.Open("Contents").Elem("Key", enc(o.key)).Elem("LastModified", Iso8601(o.mtimeNs));
    x.Elem("ETag", Quoted(o.etag)).Elem("Size", o.size).Elem("StorageClass", "STANDARD");
    if (!v2 || c.Q("fetch-owner") == "true")
      x.Open("Owner").Elem("ID", "slicefs").Elem("DisplayName", "slicefs").Close("Owner");
    x.Close("Contents");
  }
  for (const auto& cp : out.prefixes) x.Open("CommonPrefixes").Elem("Prefix", enc(cp)).Close("CommonPrefixes");
  x.Close("ListBucketResult");
  c.Xml(200, x.str());
}

void Gateway::DeleteObjects(Call& c) {
  std::string body;
  if (S3Error e = c.ReadSmallBody(&body); !e.ok()) return c.Error(e);
  if (s3xml::Elements(body, "Delete").empty()) return c.Error(MakeError("MalformedXML"));
  const bool quiet = s3xml::FirstText(body, "Quiet") == "true";
  auto objs = s3xml::Elements(body, "Object");
  if (objs.size() > 1000) return c.Error(MakeError("MalformedXML", "at most 1000 keys per request"));
  if (S3Error e = s3_.HeadBucket(c.bucket); !e.ok()) return c.Error(e);
  XmlOut x;
  x.Open("DeleteResult", true);
  for (auto o : objs) {
    std::string key = s3xml::FirstText(o, "Key");
    S3Error e = key.empty() ? MakeError("InvalidArgument", "empty key") : s3_.Delete(c.bucket, key);
    if (e.ok()) {
      if (!quiet) x.Open("Deleted").Elem("Key", key).Close("Deleted");
    } else {
      x.Open("Error").Elem("Key", key).Elem("Code", e.code).Elem("Message", e.message).Close("Error");
    }
  }
  x.Close("DeleteResult");
  c.Xml(200, x.str());
}

void Gateway::ListUploads(Call& c) {
  size_t max = 1000;
  if (!ParseCount(c.Q("max-uploads"), &max)) return c.Error(MakeError("InvalidArgument", "max-uploads must be a number"));
  max = std::min<size_t>(max, 1000);
  std::vector<UploadInfo> ups;
  bool truncated = false;
  if (S3Error e = mp_.ListUploads(c.bucket, c.Q("prefix"), c.Q("key-marker"), c.Q("upload-id-marker"), max, &ups,
                                  &truncated);
      !e.ok())
    return c.Error(e);
  XmlOut x;
  x.Open("ListMultipartUploadsResult", true).Elem("Bucket", c.bucket).Elem("KeyMarker", c.Q("key-marker"));
  x.Elem("UploadIdMarker", c.Q("upload-id-marker")).Elem("Prefix", c.Q("prefix"));
  if (truncated && !ups.empty())
    x.Elem("NextKeyMarker", ups.back().key).Elem("NextUploadIdMarker", ups.back().uploadId);
  x.Elem("MaxUploads", max).Elem("IsTruncated", truncated ? "true" : "false");
  for (const auto& u : ups) {
    x.Open("Upload").Elem("Key", u.key).Elem("UploadId", u.uploadId).Elem("Initiated", Iso8601(u.initiatedNs));
    x.Elem("StorageClass", "STANDARD").Close("Upload");
  }
  x.Close("ListMultipartUploadsResult");
  c.Xml(200, x.str());
}

}  // namespace slicefs::gateway
