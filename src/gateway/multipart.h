// Multipart uploads over S3Fs. An upload is a hidden directory
// /.sgw-uploads/<uploadId> (mode 0700) whose xattr user.s3.upload holds
// {bucket, key, contentType, meta, initiated} as JSON; each part is a file
// "part-NNNNN" there, written like an object (streamed into a temporary,
// its MD5 stamped as ETag, renamed into place; a retried part replaces the
// old one). Complete joins the parts into the object by metadata:
// copy_file_range shares their slices (no data is read or written again),
// then the upload directory is removed; the object's ETag is S3's
// MD5(concatenated part MD5s) + "-N".
// Threading: thread-safe (PathFs is). Errors: S3Error (NoSuchUpload,
// InvalidPart, InvalidPartOrder, EntityTooSmall, ...).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/s3_fs.h"

namespace slicefs::gateway {

inline constexpr std::string_view kXattrUpload = "user.s3.upload";
inline constexpr uint64_t kMinPartSize = 5ull << 20;
inline constexpr int kMaxPartNumber = 10000;

struct PartRef {
  int number = 0;
  std::string etag;  // with or without quotes
};

struct PartInfo {
  int number = 0;
  uint64_t size = 0;
  int64_t mtimeNs = 0;
  std::string etag;
};

struct UploadInfo {
  std::string key, uploadId;
  int64_t initiatedNs = 0;
};

class Multipart {
 public:
  explicit Multipart(S3Fs& s3) : s3_(s3) {}
  S3Error Create(std::string_view bucket, std::string_view key, const ObjectMeta& meta, std::string* uploadId);
  S3Error BeginPart(std::string_view bucket, std::string_view key, std::string_view uploadId, int partNumber,
                    std::unique_ptr<ObjectWriter>* out);
  S3Error Complete(std::string_view bucket, std::string_view key, std::string_view uploadId,
                   const std::vector<PartRef>& parts, std::string* etag);
  S3Error Abort(std::string_view bucket, std::string_view key, std::string_view uploadId);
  // Parts after partMarker, at most maxParts.
  S3Error ListParts(std::string_view bucket, std::string_view key, std::string_view uploadId, int partMarker,
                    int maxParts, std::vector<PartInfo>* out, bool* truncated);
  // Uploads of bucket whose key starts with prefix, after (keyMarker,
  // uploadIdMarker), sorted by key then upload id, at most maxUploads.
  // Memory: the uploads in progress of the bucket (they are few).
  S3Error ListUploads(std::string_view bucket, std::string_view prefix, std::string_view keyMarker,
                      std::string_view uploadIdMarker, size_t maxUploads, std::vector<UploadInfo>* out,
                      bool* truncated);

 private:
  // The upload's directory after checking it belongs to bucket/key.
  S3Error UploadDir(std::string_view bucket, std::string_view key, std::string_view uploadId, std::string* dir,
                    ObjectMeta* meta);
  S3Fs& s3_;
};

}  // namespace slicefs::gateway
