// The S3 view of a volume over PathFs: buckets, objects and their metadata.
// An object is a regular file and a '/' in its key is a directory; a key
// ending in '/' names a directory ("folder object", empty). Single-bucket
// mode: the volume is one bucket named after it, keys start at the volume
// root. Multi-bucket mode: each top-level directory is a bucket.
//
// Metadata lives in xattrs of the file (docs/formats.md, "S3 gateway"):
//   user.s3.etag          "<md5 hex> <length> <mtimeNs>": valid while the
//                         file keeps that length and mtime (a change through
//                         a mount makes it stale; a synthetic ETag is served)
//   user.s3.content-type  the Content-Type given at PUT
//   user.s3.meta          JSON object of the x-amz-meta-* headers
// Hidden names: ".sgw-*" at any level (PUT temporaries, the multipart area
// /.sgw-uploads) and ".trash" at the volume root; keys naming them, or with
// empty, "." or ".." components, are refused.
//
// Threading: thread-safe (PathFs is). An ObjectWriter is one upload; use it
// from one thread. Errors: S3Error (s3_error.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/digest.h"
#include "gateway/s3_error.h"
#include "vfs/path_fs.h"

namespace slicefs::gateway {

struct GatewayOptions {
  bool multiBuckets = false;
  // GET/HEAD of a file without a valid stored ETag (written or changed
  // through a mount) compute its MD5 once and store it.
  bool keepEtag = false;
  uint32_t umask = 022;
};

inline constexpr std::string_view kXattrEtag = "user.s3.etag";
inline constexpr std::string_view kXattrContentType = "user.s3.content-type";
inline constexpr std::string_view kXattrMeta = "user.s3.meta";
inline constexpr std::string_view kHiddenPrefix = ".sgw-";
inline constexpr std::string_view kUploadsDir = "/.sgw-uploads";
inline constexpr std::string_view kDefaultContentType = "binary/octet-stream";

struct ObjectMeta {
  std::string contentType;                   // empty: kDefaultContentType
  std::map<std::string, std::string> user;   // x-amz-meta-NAME (NAME lower-case) -> value
};

struct ObjectInfo {
  std::string key;
  bool dir = false;  // a folder object ("key/")
  uint64_t size = 0;
  int64_t mtimeNs = 0;
  std::string etag;  // without quotes
  Ino ino = 0;
  ObjectMeta meta;   // filled by Stat(wantMeta)
};

struct BucketInfo {
  std::string name;
  int64_t ctimeNs = 0;
};

class S3Fs;

// Streams one object into a hidden temporary beside its final path, then
// renames it into place (a reader never sees half an object). Computes the
// MD5 while streaming. Destruction without Commit removes the temporary.
class ObjectWriter {
 public:
  ~ObjectWriter();
  S3Error Write(std::string_view data);
  // Closes, stores the metadata and ETag (etagOverride: a multipart ETag),
  // and renames over the final path. *etag: the ETag stored.
  S3Error Commit(const ObjectMeta& meta, std::string* etag, std::string_view etagOverride = "");
  std::string Md5Hex() const { return md5Hex_; }
  uint64_t size() const { return size_; }
  PathFile& file() { return file_; }
  const std::string& tempPath() const { return tmp_; }

 private:
  friend class S3Fs;
  ObjectWriter(S3Fs& fs, std::string tmp, std::string final, PathFile f)
      : fs_(fs), tmp_(std::move(tmp)), final_(std::move(final)), file_(std::move(f)) {}
  S3Error FlushBuf();
  S3Fs& fs_;
  std::string tmp_, final_;
  PathFile file_;
  std::string buf_;
  uint64_t off_ = 0, size_ = 0;
  Digest md5_ = Digest::Md5();
  std::string md5Hex_;
  bool done_ = false;
};

class S3Fs {
 public:
  S3Fs(PathFs& fs, std::string volumeName, GatewayOptions opts)
      : fs_(fs), volume_(std::move(volumeName)), opts_(opts) {}
  PathFs& fs() { return fs_; }
  const GatewayOptions& options() const { return opts_; }

  // ---- buckets ----
  S3Error ListBuckets(std::vector<BucketInfo>* out);
  S3Error HeadBucket(std::string_view bucket);
  S3Error CreateBucket(std::string_view bucket);
  S3Error DeleteBucket(std::string_view bucket);
  // The bucket's root directory ("/" or "/NAME"); NoSuchBucket if absent.
  S3Error BucketRoot(std::string_view bucket, std::string* root);

  // ---- objects ----
  // The file path of bucket/key (checks the key and the bucket).
  S3Error ObjectPath(std::string_view bucket, std::string_view key, std::string* path);
  S3Error Stat(std::string_view bucket, std::string_view key, bool wantMeta, ObjectInfo* out);
  // Starts a PUT of bucket/key (a key ending in '/' is a folder: use
  // PutFolder). Creates missing parent directories.
  S3Error BeginPut(std::string_view bucket, std::string_view key, std::unique_ptr<ObjectWriter>* out);
  // A writer for an arbitrary hidden path (multipart parts).
  S3Error BeginPutPath(const std::string& finalPath, std::unique_ptr<ObjectWriter>* out);
  S3Error PutFolder(std::string_view bucket, std::string_view key);
  // Deletes an object (absent: OK), then its parent directories up to the
  // bucket root while they are empty.
  S3Error Delete(std::string_view bucket, std::string_view key);
  // Metadata-level copy (clone: the slices are shared). With replace, the
  // new object gets `meta`, else the source's.
  S3Error Copy(std::string_view srcBucket, std::string_view srcKey, std::string_view dstBucket,
               std::string_view dstKey, bool replace, const ObjectMeta& meta, ObjectInfo* out);

  // ETag of a file from its xattr if still valid, else computed (keepEtag)
  // or synthetic.
  std::string EtagOf(const std::string& path, const Attr& a, Ino ino, bool mayCompute);
  // The ETag stored in ino's xattr if still valid for attributes a.
  bool StoredEtag(Ino ino, const Attr& a, std::string* hex);
  // Stores meta and ETag xattrs on path.
  S3Error StoreMeta(const std::string& path, const ObjectMeta& meta, std::string_view etag);
  S3Error LoadMeta(const std::string& path, ObjectMeta* meta);
  // Removes empty directories from dir up to (excluding) stop.
  void PruneEmptyDirs(std::string dir, std::string_view stop);

 private:
  friend class ObjectWriter;
  PathFs& fs_;
  std::string volume_;
  GatewayOptions opts_;
};

// S3's rules for a bucket name (3..63 of a-z 0-9 . -, alnum at both ends).
bool ValidBucketName(std::string_view name);
// "/a/b" -> "/a" ("/" for "/a").
std::string ParentPath(std::string_view path);
std::string BaseName(std::string_view path);
// A random hex string of n bytes (temp names, upload ids).
std::string RandomHex(size_t n);

}  // namespace slicefs::gateway
