#include "gateway/s3_fs.h"

#include <fcntl.h>
#include <openssl/rand.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "object/sigv4.h"

namespace slicefs::gateway {

namespace {

constexpr size_t kWriteBuf = 1 << 20;
constexpr size_t kMaxKey = 1024;

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out.push_back('/');
  out += name;
  return out;
}

// "<hex> <length> <mtimeNs>"
std::string EtagStamp(std::string_view hex, const Attr& a) {
  return std::string(hex) + " " + std::to_string(a.length) + " " + std::to_string(a.mtimeNs);
}

}  // namespace

bool ValidBucketName(std::string_view n) {
  if (n.size() < 3 || n.size() > 63) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return alnum(n.front()) && alnum(n.back()) && n.find("..") == std::string_view::npos;
}

std::string ParentPath(std::string_view path) {
  size_t p = path.find_last_of('/');
  if (p == std::string_view::npos || p == 0) return "/";
  return std::string(path.substr(0, p));
}

std::string BaseName(std::string_view path) {
  size_t p = path.find_last_of('/');
  return std::string(p == std::string_view::npos ? path : path.substr(p + 1));
}

std::string RandomHex(size_t n) {
  std::string raw(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(n));
  return sigv4::Hex(raw);
}

// ---- ObjectWriter ----

ObjectWriter::~ObjectWriter() {
  if (done_) return;
  if (file_.valid()) (void)file_.Close();
  (void)fs_.fs().Unlink(tmp_);
}

S3Error ObjectWriter::FlushBuf() {
  size_t pos = 0;
  while (pos < buf_.size()) {
    auto n = file_.Write(off_, std::span<const char>(buf_.data() + pos, buf_.size() - pos));
    if (!n) return FromStatus(n.error());
    pos += *n;
    off_ += *n;
  }
  buf_.clear();
  return S3Error{};
}

S3Error ObjectWriter::Write(std::string_view data) {
  md5_.Update(data);
  size_ += data.size();
  while (!data.empty()) {
    if (buf_.capacity() < kWriteBuf) buf_.reserve(kWriteBuf);
    size_t take = std::min(data.size(), kWriteBuf - buf_.size());
    buf_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (buf_.size() == kWriteBuf) {
      if (S3Error e = FlushBuf(); !e.ok()) return e;
    }
  }
  return S3Error{};
}

S3Error ObjectWriter::Commit(const ObjectMeta& meta, std::string* etag, std::string_view etagOverride) {
  if (S3Error e = FlushBuf(); !e.ok()) return e;
  std::string().swap(buf_);
  md5Hex_ = md5_.FinalHex();
  if (Status st = file_.Close(); !st.ok()) return FromStatus(st);
  std::string tag = etagOverride.empty() ? md5Hex_ : std::string(etagOverride);
  if (S3Error e = fs_.StoreMeta(tmp_, meta, tag); !e.ok()) return e;
  if (Status st = fs_.fs().Rename(tmp_, final_); !st.ok()) return FromStatus(st);
  done_ = true;
  if (etag) *etag = tag;
  return S3Error{};
}

// ---- S3Fs ----

S3Error S3Fs::StoreMeta(const std::string& path, const ObjectMeta& meta, std::string_view etag) {
  auto a = fs_.Stat(path);
  if (!a) return FromStatus(a.error());
  if (!etag.empty()) {
    if (Status st = fs_.SetXattr(path, kXattrEtag, EtagStamp(etag, *a)); !st.ok()) return FromStatus(st);
  }
  auto set = [&](std::string_view name, const std::string& v) -> S3Error {
    Status st = v.empty() ? fs_.RemoveXattr(path, name) : fs_.SetXattr(path, name, v);
    if (!st.ok() && !(v.empty() && st.code() == ENODATA)) return FromStatus(st);
    return S3Error{};
  };
  if (S3Error e = set(kXattrContentType, meta.contentType); !e.ok()) return e;
  std::string js;
  if (!meta.user.empty()) js = nlohmann::json(meta.user).dump();
  return set(kXattrMeta, js);
}

S3Error S3Fs::LoadMeta(const std::string& path, ObjectMeta* meta) {
  meta->contentType.clear();
  meta->user.clear();
  if (auto v = fs_.GetXattr(path, kXattrContentType)) meta->contentType = *v;
  if (auto v = fs_.GetXattr(path, kXattrMeta)) {
    auto j = nlohmann::json::parse(*v, nullptr, false);
    if (j.is_object())
      for (auto& [k, val] : j.items())
        if (val.is_string()) meta->user[k] = val.get<std::string>();
  }
  return S3Error{};
}

bool S3Fs::StoredEtag(Ino ino, const Attr& a, std::string* hex) {
  auto v = fs_.vfs().GetXattr(fs_.ctx(), ino, kXattrEtag);
  if (!v) return false;
  std::string_view s = *v;
  size_t sp = s.find(' ');
  if (sp == std::string_view::npos || s.substr(sp + 1) != std::to_string(a.length) + " " + std::to_string(a.mtimeNs))
    return false;
  *hex = s.substr(0, sp);
  return true;
}

std::string S3Fs::EtagOf(const std::string& path, const Attr& a, Ino ino, bool mayCompute) {
  if (std::string hex; StoredEtag(ino, a, &hex)) return hex;
  if (mayCompute && opts_.keepEtag && a.type == FileType::kFile) {
    if (auto f = fs_.Open(path, O_RDONLY)) {
      Digest md5 = Digest::Md5();
      std::string buf(kWriteBuf, '\0');
      uint64_t off = 0;
      bool ok = true;
      while (true) {
        auto n = f->Read(off, std::span<char>(buf.data(), buf.size()));
        if (!n) { ok = false; break; }
        if (*n == 0) break;
        md5.Update(std::string_view(buf.data(), *n));
        off += *n;
      }
      auto now = f->Stat();
      if (ok && now && now->length == a.length && now->mtimeNs == a.mtimeNs) {
        std::string hex = md5.FinalHex();
        (void)fs_.SetXattr(path, kXattrEtag, EtagStamp(hex, a));
        return hex;
      }
    }
  }
  // Synthetic: stable while the file is unchanged, never an MD5 of it.
  Digest d = Digest::Md5();
  d.Update(std::to_string(ino) + ":" + std::to_string(a.length) + ":" + std::to_string(a.mtimeNs));
  return d.FinalHex();
}

S3Error S3Fs::BucketRoot(std::string_view bucket, std::string* root) {
  if (!opts_.multiBuckets) {
    if (bucket != volume_) return MakeError("NoSuchBucket", "this gateway serves the single bucket " + volume_);
    *root = "/";
    return S3Error{};
  }
  if (!ValidBucketName(bucket)) return MakeError("NoSuchBucket");
  std::string p = "/" + std::string(bucket);
  auto a = fs_.Stat(p);
  if (!a || a->type != FileType::kDir) return MakeError("NoSuchBucket");
  *root = p;
  return S3Error{};
}

S3Error S3Fs::ObjectPath(std::string_view bucket, std::string_view key, std::string* path) {
  if (key.empty()) return MakeError("InvalidArgument", "empty object key");
  if (key.size() > kMaxKey) return MakeError("KeyTooLongError");
  std::string root;
  if (S3Error e = BucketRoot(bucket, &root); !e.ok()) return e;
  std::string_view k = key;
  if (k.back() == '/') k.remove_suffix(1);
  bool first = true;
  while (true) {
    size_t p = k.find('/');
    std::string_view c = k.substr(0, p);
    if (c.empty() || c == "." || c == "..")
      return MakeError("InvalidArgument", "an object key with an empty, '.' or '..' component cannot be a path");
    if (c.size() > kMaxNameLen) return MakeError("KeyTooLongError", "a key component is longer than 255 bytes");
    if (c.starts_with(kHiddenPrefix) || (first && root == "/" && c == ".trash"))
      return MakeError("InvalidArgument", "keys starting with .sgw- (or .trash at the volume root) are reserved");
    first = false;
    if (p == std::string_view::npos) break;
    k.remove_prefix(p + 1);
  }
  *path = JoinPath(root, key);
  if (path->size() > 1 && path->back() == '/') path->pop_back();
  return S3Error{};
}

S3Error S3Fs::Stat(std::string_view bucket, std::string_view key, bool wantMeta, ObjectInfo* out) {
  std::string path;
  if (S3Error e = ObjectPath(bucket, key, &path); !e.ok()) return e;
  auto en = fs_.Resolve(path);
  if (!en) return en.error().code() == ENOTDIR ? MakeError("NoSuchKey") : FromStatus(en.error());
  const bool folder = key.back() == '/';
  if (folder != (en->attr.type == FileType::kDir) || (!folder && en->attr.type != FileType::kFile))
    return MakeError("NoSuchKey");
  out->key = std::string(key);
  out->dir = folder;
  out->size = folder ? 0 : en->attr.length;
  out->mtimeNs = en->attr.mtimeNs;
  out->ino = en->ino;
  out->etag = folder ? "d41d8cd98f00b204e9800998ecf8427e" : EtagOf(path, en->attr, en->ino, wantMeta);
  if (wantMeta) LoadMeta(path, &out->meta);
  return S3Error{};
}

S3Error S3Fs::BeginPutPath(const std::string& finalPath, std::unique_ptr<ObjectWriter>* out) {
  std::string parent = ParentPath(finalPath);
  if (Status st = fs_.MkdirAll(parent); !st.ok()) return FromStatus(st);
  std::string tmp = JoinPath(parent, std::string(kHiddenPrefix) + "tmp-" + RandomHex(8));
  auto f = fs_.Open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (!f) return FromStatus(f.error());
  out->reset(new ObjectWriter(*this, tmp, finalPath, std::move(*f)));
  return S3Error{};
}

S3Error S3Fs::BeginPut(std::string_view bucket, std::string_view key, std::unique_ptr<ObjectWriter>* out) {
  std::string path;
  if (S3Error e = ObjectPath(bucket, key, &path); !e.ok()) return e;
  return BeginPutPath(path, out);
}

S3Error S3Fs::PutFolder(std::string_view bucket, std::string_view key) {
  std::string path;
  if (S3Error e = ObjectPath(bucket, key, &path); !e.ok()) return e;
  return FromStatus(fs_.MkdirAll(path));
}

void S3Fs::PruneEmptyDirs(std::string dir, std::string_view stop) {
  while (dir != stop && dir.size() > stop.size() && dir != "/") {
    if (!fs_.Rmdir(dir).ok()) return;
    dir = ParentPath(dir);
  }
}

S3Error S3Fs::Delete(std::string_view bucket, std::string_view key) {
  std::string path, root;
  if (S3Error e = ObjectPath(bucket, key, &path); !e.ok()) return e;
  (void)BucketRoot(bucket, &root);
  auto a = fs_.Lstat(path);
  if (!a) return S3Error{};  // absent: S3 answers 204 too
  if (key.back() == '/') {
    if (a->type != FileType::kDir) return S3Error{};
    Status st = fs_.Rmdir(path);
    if (!st.ok() && st.code() != ENOTEMPTY && st.code() != ENOENT) return FromStatus(st);
  } else {
    if (a->type == FileType::kDir) return S3Error{};
    Status st = fs_.Unlink(path);
    if (!st.ok() && st.code() != ENOENT) return FromStatus(st);
  }
  PruneEmptyDirs(ParentPath(path), root);
  return S3Error{};
}

S3Error S3Fs::Copy(std::string_view srcBucket, std::string_view srcKey, std::string_view dstBucket,
                   std::string_view dstKey, bool replace, const ObjectMeta& meta, ObjectInfo* out) {
  std::string src, dst;
  if (S3Error e = ObjectPath(srcBucket, srcKey, &src); !e.ok()) return e;
  if (S3Error e = ObjectPath(dstBucket, dstKey, &dst); !e.ok()) return e;
  if (srcKey.back() == '/' || dstKey.back() == '/') return MakeError("InvalidRequest", "folder objects cannot be copied");
  ObjectInfo si;
  if (S3Error e = Stat(srcBucket, srcKey, false, &si); !e.ok()) return e;
  if (src == dst) {
    if (!replace)
      return MakeError("InvalidRequest",
                       "This copy request is illegal because it is trying to copy an object to itself without changing "
                       "the object's metadata.");
    if (S3Error e = StoreMeta(dst, meta, si.etag); !e.ok()) return e;
    return Stat(dstBucket, dstKey, false, out);
  }
  std::string parent = ParentPath(dst);
  if (Status st = fs_.MkdirAll(parent); !st.ok()) return FromStatus(st);
  auto pe = fs_.Resolve(parent);
  if (!pe) return FromStatus(pe.error());
  std::string tmpName = std::string(kHiddenPrefix) + "tmp-" + RandomHex(8);
  std::string tmp = JoinPath(parent, tmpName);
  auto cl = fs_.vfs().meta().CloneFile(fs_.ctx(), si.ino, pe->ino, tmpName, /*preserve: xattrs too*/ true);
  if (!cl) return FromStatus(cl.error());
  // The clone has the source's content: its stored ETag (a real MD5) is
  // stamped again for the clone's own attributes.
  auto sa = fs_.Stat(src);
  std::string stored;
  const bool haveEtag = sa && StoredEtag(si.ino, *sa, &stored);
  ObjectMeta keep;
  if (!replace) LoadMeta(tmp, &keep);
  if (S3Error e = StoreMeta(tmp, replace ? meta : keep, haveEtag ? stored : ""); !e.ok()) {
    (void)fs_.Unlink(tmp);
    return e;
  }
  if (Status st = fs_.Rename(tmp, dst); !st.ok()) {
    (void)fs_.Unlink(tmp);
    return FromStatus(st);
  }
  return Stat(dstBucket, dstKey, false, out);
}

S3Error S3Fs::ListBuckets(std::vector<BucketInfo>* out) {
  out->clear();
  if (!opts_.multiBuckets) {
    auto a = fs_.Stat("/");
    if (!a) return FromStatus(a.error());
    out->push_back({volume_, a->ctimeNs});
    return S3Error{};
  }
  std::string after;
  while (true) {
    auto page = fs_.List("/", after, 1000, true);
    if (!page) return FromStatus(page.error());
    if (page->empty()) break;
    for (const auto& e : *page) {
      if (e.type == FileType::kDir && ValidBucketName(e.name))
        out->push_back({e.name, e.attr ? e.attr->ctimeNs : 0});
    }
    after = page->back().name;
  }
  return S3Error{};
}

S3Error S3Fs::HeadBucket(std::string_view bucket) {
  std::string root;
  return BucketRoot(bucket, &root);
}

S3Error S3Fs::CreateBucket(std::string_view bucket) {
  if (!opts_.multiBuckets) {
    if (bucket == volume_) return MakeError("BucketAlreadyOwnedByYou");
    return MakeError("AccessDenied", "this gateway serves the single bucket " + volume_ +
                                         " (start it with --multi-buckets to create buckets)");
  }
  if (!ValidBucketName(bucket)) return MakeError("InvalidBucketName");
  auto r = fs_.Mkdir("/" + std::string(bucket), 0777);
  if (!r) return r.error().code() == EEXIST ? MakeError("BucketAlreadyOwnedByYou") : FromStatus(r.error());
  return S3Error{};
}

S3Error S3Fs::DeleteBucket(std::string_view bucket) {
  std::string root;
  if (S3Error e = BucketRoot(bucket, &root); !e.ok()) return e;
  if (!opts_.multiBuckets) return MakeError("AccessDenied", "the volume's bucket cannot be deleted");
  Status st = fs_.Rmdir(root);
  if (st.code() == ENOTEMPTY) return MakeError("BucketNotEmpty");
  return FromStatus(st);
}

}  // namespace slicefs::gateway
