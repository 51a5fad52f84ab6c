// A JuiceFS volume (our own sample dump plus block objects at JuiceFS's
// key layout in a file bucket) is loaded by `slicefs load` and mounted by
// slicefs from the same bucket: listing, attributes and file contents are
// what the dump and the objects describe, without copying a byte.
#include <gtest/gtest.h>

#include <filesystem>

#include "dump/dump_util.h"

namespace slicefs::testing {
namespace {

TEST(JuicefsMount, LoadedJuicefsVolumeMountsFromItsBucket) {
  REQUIRE_FUSE();
  TempDir tmp("slicefs-jfs");
  const std::string bucket = tmp.path() + "/jfs";
  const std::string a = Bytes(6000, 1), b = Bytes(50, 2), c = Bytes(4 << 20, 3), d = Bytes(1000, 4);
  // Blocks at {vol}/chunks/{id/1e6}/{id/1e3}/{id}_{block}_{len}; slice 1003
  // is one full 4 MiB block and a short one.
  std::filesystem::create_directories(bucket + "/jfsvol/chunks/0/1");
  ASSERT_TRUE(WriteFile(bucket + "/jfsvol/chunks/0/1/1001_0_6000", a));
  ASSERT_TRUE(WriteFile(bucket + "/jfsvol/chunks/0/1/1002_0_50", b));
  ASSERT_TRUE(WriteFile(bucket + "/jfsvol/chunks/0/1/1003_0_4194304", c));
  ASSERT_TRUE(WriteFile(bucket + "/jfsvol/chunks/0/1/1003_1_1000", d));
  ASSERT_TRUE(WriteFile(bucket + "/jfsvol/juicefs_uuid", "0a3e4f1c-1111-4222-8333-944455556666"));
  const std::string doc = R"({
  "Setting": {"Name": "jfsvol", "UUID": "0a3e4f1c-1111-4222-8333-944455556666", "Storage": "file",
              "Bucket": ")" + bucket + R"(/", "SecretKey": "removed", "BlockSize": 4096, "Compression": "none",
              "TrashDays": 1, "MetaVersion": 1},
  "Counters": {"nextInodes": 10, "nextChunk": 1003},
  "FSTree": {"attr": {"inode": 1, "type": "directory", "mode": 493, "nlink": 3, "atime": 1, "mtime": 1, "ctime": 1},
    "entries": {
      "docs": {"attr": {"inode": 2, "type": "directory", "mode": 488, "uid": 1000, "gid": 1000, "nlink": 2,
                        "atime": 1, "mtime": 1600000000, "ctime": 1},
        "entries": {
          "small": {"attr": {"inode": 3, "type": "regular", "mode": 416, "uid": 1000, "gid": 1000, "nlink": 1,
                             "length": 6000, "atime": 1, "mtime": 1600000001, "ctime": 1},
                    "xattrs": [{"name": "user.origin", "value": "juicefs"}],
                    "chunks": [{"index": 0, "slices": [{"id": 1001, "pos": 0, "size": 6000, "off": 0, "len": 6000},
                                                       {"id": 1002, "pos": 100, "size": 50, "off": 10, "len": 40}]}]},
          "two-blocks": {"attr": {"inode": 4, "type": "regular", "mode": 420, "nlink": 1, "length": 4195304,
                                  "atime": 1, "mtime": 1, "ctime": 1},
                         "chunks": [{"index": 0, "slices": [{"id": 1003, "pos": 0, "size": 4195304, "off": 0, "len": 4195304}]}]},
          "to-small": {"attr": {"inode": 5, "type": "symlink", "mode": 511, "nlink": 1, "length": 5, "atime": 1, "mtime": 1, "ctime": 1},
                       "symlink": "small"}
        }}
    }}
})";
  ASSERT_TRUE(WriteFile(tmp.path() + "/jfs.json", doc));
  const std::string url = "sqlite3://" + tmp.path() + "/meta.db";
  std::string out;
  ASSERT_EQ(RunSlicefs({"load", url, tmp.path() + "/jfs.json"}, &out), 0) << out;
  EXPECT_NE(out.find("from a juicefs dump"), std::string::npos) << out;
  VolumeSpec spec;
  spec.metaUrl = url;
  spec.name = "jfsvol";
  spec.bucket = bucket;
  spec.formatted = true;
  TestMount m(spec);
  ASSERT_TRUE(m.Mount().ok()) << ReadFile(m.logFile());
  std::string want = a;
  want.replace(100, 40, b.substr(10, 40));
  EXPECT_EQ(ReadFile(m / "docs/small"), want);
  EXPECT_EQ(ReadFile(m / "docs/two-blocks"), c + d);
  struct stat st;
  ASSERT_EQ(stat((m / "docs/small").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1600000001);
  char buf[64];
  ssize_t n = getxattr((m / "docs/small").c_str(), "user.origin", buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "juicefs");
  n = readlink((m / "docs/to-small").c_str(), buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "small");
  EXPECT_EQ(ReadFile(m / "docs/to-small"), want);
  // The volume is writable; the new slice does not reuse a JuiceFS id.
  ASSERT_TRUE(WriteAt(m / "docs/new", 0, "slicefs data"));
  EXPECT_EQ(ReadFile(m / "docs/new"), "slicefs data");
  ASSERT_TRUE(m.Unmount().ok());
  EXPECT_TRUE(std::filesystem::exists(bucket + "/jfsvol/slicefs_uuid"));
  // Its original objects are untouched.
  EXPECT_EQ(ReadFile(bucket + "/jfsvol/chunks/0/1/1001_0_6000"), a);
}

}  // namespace
}  // namespace slicefs::testing
