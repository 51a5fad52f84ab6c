// Loading `juicefs dump` documents (our own samples written from JuiceFS's
// published format): the loaded volume lists, stats and maps chunks as the
// dump describes; what slicefs cannot carry over is refused or reported.
#include <fcntl.h>
#include <sys/stat.h>

#include "common/byte_stream.h"
#include "meta/dump.h"
#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

// A small JuiceFS 1.x volume: /dir/file (two chunks, an xattr, two hard
// links: /dir/file and /link, written twice as JuiceFS does), /dir/sym, an
// empty dir, a fifo with an ACL, and one file in an hourly trash directory.
const char* kSample = R"({
  "Setting": {"Name": "jfsvol", "UUID": "0a3e4f1c-1111-4222-8333-944455556666", "Storage": "file",
              "Bucket": "/var/jfs/", "AccessKey": "", "SecretKey": "removed", "BlockSize": 4096,
              "Compression": "none", "KeyEncrypted": true, "TrashDays": 2, "MetaVersion": 1},
  "Counters": {"usedSpace": 12288, "usedInodes": 7, "nextInodes": 41, "nextChunk": 1003, "nextSession": 5, "nextTrash": 1},
  "Sustained": [],
  "DelFiles": [{"inode": 30, "length": 100, "expire": 1700000000}],
  "FSTree": {
    "attr": {"inode": 1, "type": "directory", "mode": 511, "uid": 0, "gid": 0, "atime": 1700000000, "mtime": 1700000001,
             "ctime": 1700000002, "nlink": 4, "length": 0},
    "entries": {
      "dir": {
        "attr": {"inode": 2, "type": "directory", "mode": 493, "uid": 1000, "gid": 1000, "atime": 1700000010,
                 "mtime": 1700000011, "ctime": 1700000012, "mtimensec": 500, "nlink": 2, "length": 4096},
        "xattrs": [{"name": "user.tag", "value": "blue"}],
        "entries": {
          "file": {
            "attr": {"inode": 3, "type": "regular", "mode": 420, "uid": 1000, "gid": 100, "atime": 1700000020,
                     "mtime": 1700000021, "mtimensec": 123456789, "ctime": 1700000022, "nlink": 2, "length": 67108874},
            "xattrs": [{"name": "user.k", "value": "v"}],
            "chunks": [
              {"index": 0, "slices": [{"id": 1001, "pos": 0, "size": 6000, "off": 0, "len": 6000},
                                      {"chunkid": 1002, "pos": 100, "size": 50, "off": 10, "len": 40}]},
              {"index": 1, "slices": [{"id": 1000, "pos": 0, "size": 10, "off": 0, "len": 10}]}
            ]
          },
          "sym": {
            "attr": {"inode": 4, "type": "symlink", "mode": 511, "uid": 0, "gid": 0, "atime": 1, "mtime": 2, "ctime": 3,
                     "nlink": 1, "length": 7},
            "symlink": "../link"
          }
        }
      },
      "empty": {"attr": {"inode": 5, "type": "directory", "mode": 448, "nlink": 2, "length": 4096, "atime": 1, "mtime": 1, "ctime": 1}},
      "link": {
        "attr": {"inode": 3, "type": "regular", "mode": 420, "uid": 1000, "gid": 100, "atime": 1700000020,
                 "mtime": 1700000021, "mtimensec": 123456789, "ctime": 1700000022, "nlink": 2, "length": 67108874},
        "xattrs": [{"name": "user.k", "value": "v"}],
        "chunks": [
          {"index": 0, "slices": [{"id": 1001, "pos": 0, "size": 6000, "off": 0, "len": 6000},
                                  {"chunkid": 1002, "pos": 100, "size": 50, "off": 10, "len": 40}]},
          {"index": 1, "slices": [{"id": 1000, "pos": 0, "size": 10, "off": 0, "len": 10}]}
        ]
      },
      "pipe": {"attr": {"inode": 6, "type": "fifo", "mode": 416, "nlink": 1, "atime": 1, "mtime": 1, "ctime": 1},
               "posix_acl_access": {"owner": 6, "group": 4, "other": 0, "mask": 4, "users": [{"id": 7, "perm": 4}], "groups": []}}
    }
  },
  "Trash": {
    "attr": {"inode": 9223372032828243968, "type": "directory", "mode": 365, "nlink": 3, "length": 0, "atime": 1, "mtime": 1, "ctime": 1},
    "entries": {
      "2023-11-14-22": {
        "attr": {"inode": 9223372032828243969, "type": "directory", "mode": 365, "nlink": 2, "atime": 1, "mtime": 1, "ctime": 1},
        "entries": {
          "1-7-old.txt": {"attr": {"inode": 7, "type": "regular", "mode": 384, "nlink": 1, "length": 5, "atime": 1, "mtime": 1, "ctime": 1},
                          "chunks": [{"index": 0, "slices": [{"id": 900, "pos": 0, "size": 5, "off": 0, "len": 5}]}]}
        }
      }
    }
  },
  "Quotas": {"2": {"MaxSpace": 1000, "MaxInodes": 10}}
})";

class JuicefsLoadTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<KvStore> Fresh() {
    auto url = testing::FreshEngineUrl(GetParam());
    if (!url) throw std::runtime_error(url.error().ToString());
    return Must(OpenKvStore(*url));
  }
  Result<LoadStats> Load(KvStore& kv, const std::string& doc) {
    StringSource in(doc);
    return LoadVolume(kv, in, {});
  }
};

TEST_P(JuicefsLoadTest, SampleLoadsAsDescribed) {
  auto kv = Fresh();
  auto r = Load(*kv, kSample);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->source, "juicefs");
  // What could not come along is reported.
  std::string all;
  for (auto& w : r->warnings) all += w + "\n";
  EXPECT_NE(all.find("1 POSIX ACLs"), std::string::npos) << all;
  EXPECT_NE(all.find("1 directory quotas"), std::string::npos) << all;
  EXPECT_NE(all.find("1 files waiting for deletion"), std::string::npos) << all;
  CheckInvariants(*kv);
  auto fmt = Must(Meta::LoadFormat(*kv));
  EXPECT_EQ(fmt.name, "jfsvol");
  EXPECT_EQ(fmt.uuid, "0a3e4f1c-1111-4222-8333-944455556666");
  EXPECT_EQ(fmt.bucket, "/var/jfs");
  EXPECT_EQ(fmt.trashDays, 2u);
  auto m = Must(Meta::Open(std::move(kv), {}));
  Ctx root = Ctx::Root();
  auto names = [&](Ino dir) {
    std::set<std::string> out;
    for (auto& e : Must(m->Readdir(root, dir, "", 100, false))) out.insert(e.name);
    return out;
  };
  EXPECT_EQ(names(kRootIno), (std::set<std::string>{"dir", "empty", "link", "pipe"}));
  EXPECT_EQ(names(2), (std::set<std::string>{"file", "sym"}));
  auto file = Must(m->Lookup(root, 2, "file"));
  EXPECT_EQ(file.ino, 3u);
  EXPECT_EQ(file.attr.nlink, 2u);
  EXPECT_EQ(file.attr.length, 67108874u);
  EXPECT_EQ(file.attr.uid, 1000u);
  EXPECT_EQ(file.attr.gid, 100u);
  EXPECT_EQ(file.attr.mode, 0644u);
  EXPECT_EQ(file.attr.mtimeNs, 1700000021LL * 1000000000 + 123456789);
  EXPECT_EQ(Must(m->Lookup(root, kRootIno, "link")).ino, 3u);
  EXPECT_EQ(Must(m->GetXattr(root, 3, "user.k")), "v");
  EXPECT_EQ(Must(m->GetXattr(root, 2, "user.tag")), "blue");
  auto c0 = Must(m->ReadChunk(3, 0));
  ASSERT_EQ(c0.size(), 2u);
  EXPECT_EQ(c0[0], (SliceRecord{0, 1001, 6000, 0, 6000}));
  EXPECT_EQ(c0[1], (SliceRecord{100, 1002, 50, 10, 40}));
  EXPECT_EQ(Must(m->ReadChunk(3, 1)), (std::vector<SliceRecord>{{0, 1000, 10, 0, 10}}));
  EXPECT_EQ(Must(m->Readlink(root, 4)), "../link");
  auto dir = Must(m->GetAttr(root, 2));
  EXPECT_EQ(dir.mode, 0755u);
  EXPECT_EQ(dir.mtimeNs, 1700000011LL * 1000000000 + 500);
  EXPECT_EQ(Must(m->GetAttr(root, kRootIno)).nlink, 4u);  // dir, empty
  EXPECT_EQ(Must(m->GetAttr(root, 6)).type, FileType::kFifo);
  // The hourly trash directory is flattened into the slicefs trash.
  EXPECT_EQ(names(kTrashIno), (std::set<std::string>{"1-7-old.txt"}));
  EXPECT_EQ(Must(m->GetAttr(root, 7)).parent, kTrashIno);
  // New inodes and slices are allocated past JuiceFS's counters.
  auto e = Must(m->Mknod(root, kRootIno, "new", S_IFREG | 0644, 0, 0));
  EXPECT_GE(e.ino, 42u);
  EXPECT_GE(Must(m->NewSliceId()), 1004u);
}

TEST_P(JuicefsLoadTest, WhatCannotBeCarriedOverIsRefusedInOneLine) {
  auto kv = Fresh();
  struct Case {
    std::string from, to, expect;
  };
  std::vector<Case> cases = {
      {"\"Compression\": \"none\"", "\"Compression\": \"lz4\"", "compressed (lz4)"},
      {"\"KeyEncrypted\": true", "\"KeyEncrypted\": true, \"EncryptKey\": \"abc\"", "encrypted"},
      {"\"Storage\": \"file\"", "\"Storage\": \"oss\"", "storage 'oss' is not supported"},
      {"\"MetaVersion\": 1", "\"MetaVersion\": 1, \"Shards\": 4", "4 shards"},
      {"\"id\": 1000, \"pos\": 0, \"size\": 10", "\"id\": 1000, \"pos\": 0, \"size\": 5", "off + len > size"},
      {"\"symlink\": \"../link\"", "\"nosymlink\": 1", "without a target"},
  };
  for (auto& c : cases) {
    std::string doc = kSample;
    auto at = doc.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    doc.replace(at, c.from.size(), c.to);
    auto r = Load(*kv, doc);
    ASSERT_FALSE(r) << c.to;
    EXPECT_NE(r.error().message().find(c.expect), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
    EXPECT_EQ(KeyCount(*kv), 0u) << c.to;
  }
  std::string cut = kSample;
  auto r = Load(*kv, cut.substr(0, cut.size() / 2));
  ASSERT_FALSE(r);
}

INSTANTIATE_TEST_SUITE_P(Engines, JuicefsLoadTest, ::testing::Values("mem", "sqlite3"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace slicefs::metatest
