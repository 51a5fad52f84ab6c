// Helpers for the health suite (fsck, gc, destroy, config on real mounts):
// direct engine edits to inject damage, and bucket inspection/planting for
// volumes on `file` storage.
#pragma once

#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <string>
#include <vector>

#include "chunk/block_key.h"
#include "kv/kv.h"
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "meta/slice_codec.h"
#include "mount/mount_util.h"  // REQUIRE_FUSE
#include "support/engines.h"
#include "support/mount.h"
#include "support/test_util.h"

namespace slicefs::testing {

// The engines the suite runs on: the embedded default and one server.
inline std::vector<std::string> HealthEngines() { return {"sqlite3", "redis"}; }

// A volume of `url` with 64 KiB blocks and no trash (small files span blocks).
inline VolumeSpec HealthSpec(const std::string& url) {
  VolumeSpec spec;
  spec.metaUrl = url;
  spec.formatArgs = {"--trash-days", "0", "--block-size", "64K"};
  return spec;
}

// In a TEST_P over HealthEngines(): declares `url`, a fresh engine of the
// parameter, and `m`, a TestMount of HealthSpec(url), formatted, and
// mounted when `mount`.
#define HEALTH_VOLUME(m, url, mount)        \
  REQUIRE_FUSE();                           \
  ENGINE_URL_OR_SKIP(url, GetParam());      \
  TestMount m(HealthSpec(url));             \
  ASSERT_TRUE(m.Format().ok());             \
  if (mount) {                              \
    ASSERT_TRUE(m.Mount().ok());            \
  }                                         \
  static_assert(true)

inline std::unique_ptr<KvStore> MustKv(const std::string& url) {
  auto kv = OpenKvStore(url);
  EXPECT_TRUE(kv) << kv.error().ToString();
  return kv ? std::move(*kv) : nullptr;
}

inline int64_t GetCounter(KvStore& kv, const char* name) {
  int64_t v = -1;
  EXPECT_TRUE(kv.readOnly([&](KvTxn& tx) -> Status {
    auto c = tx.get(keys::Counter(name));
    if (!c) return c.error();
    v = *c ? DecodeCounter(**c) : 0;
    return Status::OK();
  }).ok());
  return v;
}

inline void SetCounter(KvStore& kv, const char* name, int64_t v) {
  ASSERT_TRUE(kv.txn([&](KvTxn& tx) -> Status {
    tx.put(keys::Counter(name), EncodeCounter(v));
    return Status::OK();
  }).ok());
}

inline std::vector<SliceRecord> ChunkRecords(KvStore& kv, Ino ino, uint32_t index) {
  std::vector<SliceRecord> recs;
  EXPECT_TRUE(kv.readOnly([&](KvTxn& tx) -> Status {
    auto v = tx.get(keys::Chunk(ino, index));
    if (!v) return v.error();
    if (!*v) return Status::NotFound("no chunk");
    auto r = DecodeSliceRecords(**v);
    if (!r) return r.error();
    recs = *r;
    return Status::OK();
  }).ok());
  return recs;
}

inline size_t KeyCount(KvStore& kv) {
  size_t n = 0;
  EXPECT_TRUE(kv.readOnly([&](KvTxn& tx) -> Status {
    auto r = tx.scan("", "", 0);
    if (!r) return r.error();
    n = r->size();
    return Status::OK();
  }).ok());
  return n;
}

inline Ino InoOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

// Regular files under DIR (recursive), as paths relative to DIR.
inline std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return out;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file()) out.push_back(std::filesystem::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Writes an object at the key of block 0 of slice `id` (length len) in a
// file bucket, with its mtime `ageSec` in the past. Returns the key.
inline std::string PlantObject(const std::string& bucket, const std::string& vol, uint64_t id, uint32_t len,
                               int ageSec) {
  const std::string key = BlockObjectKey(vol, false, id, 0, len);
  const std::string path = bucket + "/" + key;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  EXPECT_TRUE(WriteFile(path, std::string(len, 'p')));
  struct utimbuf t {};
  t.actime = t.modtime = ::time(nullptr) - ageSec;
  EXPECT_EQ(::utime(path.c_str(), &t), 0);
  return key;
}

inline bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace slicefs::testing
