#include "gateway/multipart.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "object/sigv4.h"

namespace slicefs::gateway {

namespace {

std::string PartName(int n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05d", n);
  return buf;
}

bool ValidUploadId(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string UploadPath(std::string_view id) { return std::string(kUploadsDir) + "/" + std::string(id); }

}  // namespace

S3Error Multipart::Create(std::string_view bucket, std::string_view key, const ObjectMeta& meta,
                          std::string* uploadId) {
  std::string path;
  if (S3Error e = s3_.ObjectPath(bucket, key, &path); !e.ok()) return e;
  if (key.back() == '/') return MakeError("InvalidArgument", "a folder key cannot be uploaded in parts");
  PathFs& fs = s3_.fs();
  if (Status st = fs.MkdirAll(std::string(kUploadsDir), 0700); !st.ok()) return FromStatus(st);
  *uploadId = RandomHex(16);
  std::string dir = UploadPath(*uploadId);
  auto r = fs.Mkdir(dir, 0700);
  if (!r) return FromStatus(r.error());
  nlohmann::json j = {{"bucket", bucket}, {"key", key},          {"contentType", meta.contentType},
                      {"meta", meta.user}, {"initiated", NowNs()}};
  if (Status st = fs.SetXattr(dir, kXattrUpload, j.dump()); !st.ok()) {
    (void)fs.Rmdir(dir);
    return FromStatus(st);
  }
  return S3Error{};
}

S3Error Multipart::UploadDir(std::string_view bucket, std::string_view key, std::string_view uploadId,
                             std::string* dir, ObjectMeta* meta) {
  std::string root;
  if (S3Error e = s3_.BucketRoot(bucket, &root); !e.ok()) return e;
  if (!ValidUploadId(uploadId)) return MakeError("NoSuchUpload");
  *dir = UploadPath(uploadId);
  auto v = s3_.fs().GetXattr(*dir, kXattrUpload);
  if (!v) return MakeError("NoSuchUpload");
  auto j = nlohmann::json::parse(*v, nullptr, false);
  if (!j.is_object() || j.value("bucket", "") != bucket || j.value("key", "") != key)
    return MakeError("NoSuchUpload");
  if (meta) {
    meta->contentType = j.value("contentType", "");
    meta->user.clear();
    if (j.contains("meta") && j["meta"].is_object())
      for (auto& [k, val] : j["meta"].items())
        if (val.is_string()) meta->user[k] = val.get<std::string>();
  }
  return S3Error{};
}

S3Error Multipart::BeginPart(std::string_view bucket, std::string_view key, std::string_view uploadId,
                             int partNumber, std::unique_ptr<ObjectWriter>* out) {
  if (partNumber < 1 || partNumber > kMaxPartNumber)
    return MakeError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
  std::string dir;
  if (S3Error e = UploadDir(bucket, key, uploadId, &dir, nullptr); !e.ok()) return e;
  return s3_.BeginPutPath(dir + "/" + PartName(partNumber), out);
}

S3Error Multipart::Complete(std::string_view bucket, std::string_view key, std::string_view uploadId,
                            const std::vector<PartRef>& parts, std::string* etag) {
  std::string dir, path;
  ObjectMeta meta;
  if (S3Error e = UploadDir(bucket, key, uploadId, &dir, &meta); !e.ok()) return e;
  if (S3Error e = s3_.ObjectPath(bucket, key, &path); !e.ok()) return e;
  if (parts.empty()) return MakeError("MalformedXML", "CompleteMultipartUpload lists no parts");
  PathFs& fs = s3_.fs();
  struct Src {
    std::string path;
    uint64_t size;
  };
  std::vector<Src> srcs;
  std::string md5s;
  for (size_t i = 1; i < parts.size(); ++i)
    if (parts[i].number <= parts[i - 1].number) return MakeError("InvalidPartOrder");
  for (size_t i = 0; i < parts.size(); ++i) {
    const PartRef& p = parts[i];
    std::string pp = dir + "/" + PartName(p.number);
    auto en = fs.Resolve(pp);
    if (!en || en->attr.type != FileType::kFile) return MakeError("InvalidPart", "part " + std::to_string(p.number) + " was not uploaded");
    std::string have = s3_.EtagOf(pp, en->attr, en->ino, false);
    if (have != Unquote(p.etag))
      return MakeError("InvalidPart", "part " + std::to_string(p.number) + "'s ETag does not match");
    if (i + 1 < parts.size() && en->attr.length < kMinPartSize)
      return MakeError("EntityTooSmall", "part " + std::to_string(p.number) + " is smaller than 5 MiB");
    std::string raw;
    for (size_t k = 0; k + 1 < have.size(); k += 2) raw.push_back(static_cast<char>(std::stoi(have.substr(k, 2), nullptr, 16)));
    md5s += raw;
    srcs.push_back({pp, en->attr.length});
  }
  Digest d = Digest::Md5();
  d.Update(md5s);
  std::string tag = d.FinalHex() + "-" + std::to_string(parts.size());

  std::unique_ptr<ObjectWriter> w;
  if (S3Error e = s3_.BeginPutPath(path, &w); !e.ok()) return e;
  uint64_t off = 0;
  for (const auto& s : srcs) {
    auto in = fs.Open(s.path, O_RDONLY);
    if (!in) return FromStatus(in.error());
    uint64_t done = 0;
    while (done < s.size) {
      auto n = w->file().CopyFrom(*in, done, off + done, s.size - done);
      if (!n) return FromStatus(n.error());
      if (*n == 0) return MakeError("InternalError", "a part shrank while being joined");
      done += *n;
    }
    off += s.size;
  }
  if (S3Error e = w->Commit(meta, etag, tag); !e.ok()) return e;
  auto up = fs.Resolve(std::string(kUploadsDir));
  if (up) (void)fs.vfs().meta().RemoveTree(up->ino, std::string(uploadId), [](uint64_t) { return true; });
  return S3Error{};
}

S3Error Multipart::Abort(std::string_view bucket, std::string_view key, std::string_view uploadId) {
  std::string dir;
  if (S3Error e = UploadDir(bucket, key, uploadId, &dir, nullptr); !e.ok()) return e;
  auto up = s3_.fs().Resolve(std::string(kUploadsDir));
  if (!up) return FromStatus(up.error());
  auto r = s3_.fs().vfs().meta().RemoveTree(up->ino, std::string(uploadId), [](uint64_t) { return true; });
  if (!r) return FromStatus(r.error());
  return S3Error{};
}

S3Error Multipart::ListParts(std::string_view bucket, std::string_view key, std::string_view uploadId,
                             int partMarker, int maxParts, std::vector<PartInfo>* out, bool* truncated) {
  std::string dir;
  if (S3Error e = UploadDir(bucket, key, uploadId, &dir, nullptr); !e.ok()) return e;
  *truncated = false;
  std::string after = partMarker > 0 ? PartName(partMarker) : "";
  while (true) {
    auto page = s3_.fs().List(dir, after, 1000, true);
    if (!page) return FromStatus(page.error());
    if (page->empty()) break;
    after = page->back().name;
    for (const auto& e : *page) {
      if (!e.name.starts_with("part-") || e.type != FileType::kFile || !e.attr) continue;
      if (static_cast<int>(out->size()) >= maxParts) {
        *truncated = true;
        return S3Error{};
      }
      PartInfo p;
      p.number = std::atoi(e.name.c_str() + 5);
      p.size = e.attr->length;
      p.mtimeNs = e.attr->mtimeNs;
      p.etag = s3_.EtagOf(dir + "/" + e.name, *e.attr, e.ino, false);
      out->push_back(std::move(p));
    }
  }
  return S3Error{};
}

S3Error Multipart::ListUploads(std::string_view bucket, std::string_view prefix, std::string_view keyMarker,
                               std::string_view uploadIdMarker, size_t maxUploads, std::vector<UploadInfo>* out,
                               bool* truncated) {
  std::string root;
  if (S3Error e = s3_.BucketRoot(bucket, &root); !e.ok()) return e;
  *truncated = false;
  std::vector<UploadInfo> all;
  std::string after;
  while (true) {
    auto page = s3_.fs().List(std::string(kUploadsDir), after, 1000, false);
    if (!page) break;  // no upload ever started
    if (page->empty()) break;
    after = page->back().name;
    for (const auto& e : *page) {
      if (e.type != FileType::kDir || !ValidUploadId(e.name)) continue;
      auto v = s3_.fs().GetXattr(UploadPath(e.name), kXattrUpload);
      if (!v) continue;
      auto j = nlohmann::json::parse(*v, nullptr, false);
      if (!j.is_object() || j.value("bucket", "") != bucket) continue;
      std::string k = j.value("key", "");
      if (!k.starts_with(prefix)) continue;
      if (!keyMarker.empty() && (k < keyMarker || (k == keyMarker && (uploadIdMarker.empty() || e.name <= uploadIdMarker))))
        continue;
      all.push_back({k, e.name, j.value("initiated", int64_t{0})});
    }
  }
  std::sort(all.begin(), all.end(), [](const UploadInfo& a, const UploadInfo& b) {
    return a.key != b.key ? a.key < b.key : a.uploadId < b.uploadId;
  });
  if (all.size() > maxUploads) {
    all.resize(maxUploads);
    *truncated = true;
  }
  *out = std::move(all);
  return S3Error{};
}

}  // namespace slicefs::gateway
