// Conformance: lookup, getattr, mknod, mkdir, create, unlink, rmdir, link,
// symlink, readlink, readdir, statfs, read-only mode.
#include <fcntl.h>
#include <sys/stat.h>

#include <set>

#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

TEST_P(MetaTest, FormatCreatesRootAndLoadFormatRoundTrips) {
  auto a = Must(meta_->GetAttr(root_, kRootIno));
  EXPECT_EQ(a.type, FileType::kDir);
  EXPECT_EQ(a.nlink, 2u);
  auto f = Must(Meta::LoadFormat(meta_->kv()));
  EXPECT_EQ(f.name, "metatest");
  EXPECT_FALSE(f.uuid.empty());
  EXPECT_EQ(f.ToJson(), meta_->format().ToJson());
  auto t = Must(meta_->Lookup(root_, kRootIno, ".trash"));
  EXPECT_EQ(t.ino, kTrashIno);
  // Readdir of root hides the trash.
  EXPECT_TRUE(Must(meta_->Readdir(root_, kRootIno, "", 100, false)).empty());
}

TEST_P(MetaTest, FormatRefusesExistingVolumeUnlessForcedWithSameName) {
  VolumeFormat f = meta_->format();
  EXPECT_ERRNO(Meta::Format(meta_->kv(), f, false), EEXIST);
  f.trashDays = 7;
  f.uuid.clear();
  EXPECT_OK(Meta::Format(meta_->kv(), f, true));
  auto g = Must(Meta::LoadFormat(meta_->kv()));
  EXPECT_EQ(g.trashDays, 7u);
  EXPECT_EQ(g.uuid, meta_->format().uuid);
  f.name = "other";
  EXPECT_ERRNO(Meta::Format(meta_->kv(), f, true), EINVAL);
  f.name = "BAD NAME";
  EXPECT_ERRNO(Meta::Format(meta_->kv(), f, true), EINVAL);
}

TEST_P(MetaTest, MkdirLookupGetattr) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "dir", 0755, 022));
  EXPECT_EQ(d.attr.type, FileType::kDir);
  EXPECT_EQ(d.attr.mode, 0755u);
  EXPECT_EQ(d.attr.nlink, 2u);
  EXPECT_EQ(d.attr.parent, kRootIno);
  auto l = Must(meta_->Lookup(root_, kRootIno, "dir"));
  EXPECT_EQ(l.ino, d.ino);
  EXPECT_EQ(l.attr, d.attr);
  EXPECT_EQ(Must(meta_->GetAttr(root_, kRootIno)).nlink, 3u);
  EXPECT_EQ(Must(meta_->Lookup(root_, d.ino, ".")).ino, d.ino);
  EXPECT_EQ(Must(meta_->Lookup(root_, d.ino, "..")).ino, kRootIno);
  EXPECT_ERRNO(meta_->Mkdir(root_, kRootIno, "dir", 0755, 0), EEXIST);
  EXPECT_ERRNO(meta_->Lookup(root_, kRootIno, "nope"), ENOENT);
  EXPECT_ERRNO(meta_->GetAttr(root_, 123456789), ENOENT);
  EXPECT_ERRNO(meta_->Mkdir(root_, 123456789, "x", 0755, 0), ENOENT);
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTest, ParentTimesChangeOnCreate) {
  auto before = Must(meta_->GetAttr(root_, kRootIno));
  Must(meta_->Mknod(root_, kRootIno, "f", S_IFREG | 0644, 0, 0));
  auto after = Must(meta_->GetAttr(root_, kRootIno));
  EXPECT_GT(after.mtimeNs, before.mtimeNs);
  EXPECT_GT(after.ctimeNs, before.ctimeNs);
}

TEST_P(MetaTest, NameRules) {
  std::string longName(256, 'a');
  EXPECT_ERRNO(meta_->Mkdir(root_, kRootIno, longName, 0755, 0), ENAMETOOLONG);
  EXPECT_ERRNO(meta_->Mknod(root_, kRootIno, longName, S_IFREG | 0644, 0, 0), ENAMETOOLONG);
  EXPECT_ERRNO(meta_->Lookup(root_, kRootIno, longName), ENAMETOOLONG);
  EXPECT_ERRNO(meta_->Unlink(root_, kRootIno, longName), ENAMETOOLONG);
  EXPECT_OK(meta_->Mkdir(root_, kRootIno, std::string(255, 'b'), 0755, 0));
  EXPECT_ERRNO(meta_->Mkdir(root_, kRootIno, "a/b", 0755, 0), EINVAL);
  EXPECT_ERRNO(meta_->Mkdir(root_, kRootIno, ".", 0755, 0), EEXIST);
  EXPECT_ERRNO(meta_->Mkdir(root_, kRootIno, ".trash", 0755, 0), EEXIST);
}

TEST_P(MetaTest, MknodAllTypes) {
  struct Case { const char* name; uint32_t mode; FileType type; };
  for (auto c : {Case{"reg", S_IFREG | 0640, FileType::kFile}, Case{"fifo", S_IFIFO | 0600, FileType::kFifo},
                 Case{"sock", S_IFSOCK | 0600, FileType::kSocket},
                 Case{"chr", S_IFCHR | 0600, FileType::kCharDev}, Case{"blk", S_IFBLK | 0600, FileType::kBlockDev}}) {
    auto e = Must(meta_->Mknod(root_, kRootIno, c.name, c.mode, 0, 0x0801));
    EXPECT_EQ(e.attr.type, c.type) << c.name;
    EXPECT_EQ(e.attr.mode, c.mode & 07777) << c.name;
    bool dev = c.type == FileType::kCharDev || c.type == FileType::kBlockDev;
    EXPECT_EQ(e.attr.rdev, dev ? 0x0801u : 0u) << c.name;
    EXPECT_EQ(Must(meta_->Lookup(root_, kRootIno, c.name)).attr.type, c.type);
  }
  EXPECT_ERRNO(meta_->Mknod(root_, kRootIno, "d", S_IFDIR | 0755, 0, 0), EPERM);
  auto f = Must(meta_->Lookup(root_, kRootIno, "reg"));
  EXPECT_ERRNO(meta_->Mknod(root_, f.ino, "x", S_IFREG | 0644, 0, 0), ENOTDIR);
  auto um = Must(meta_->Mknod(root_, kRootIno, "umask", S_IFREG | 0666, 027, 0));
  EXPECT_EQ(um.attr.mode, 0640u);
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTest, CreateExclAndOpenExisting) {
  auto e = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_CREAT | O_RDWR));
  EXPECT_EQ(e.attr.type, FileType::kFile);
  EXPECT_ERRNO(meta_->Create(root_, kRootIno, "f", 0644, 0, O_CREAT | O_EXCL | O_RDWR), EEXIST);
  auto again = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_CREAT | O_RDWR));
  EXPECT_EQ(again.ino, e.ino);
  Must(meta_->Mkdir(root_, kRootIno, "d", 0755, 0));
  EXPECT_ERRNO(meta_->Create(root_, kRootIno, "d", 0644, 0, O_CREAT | O_RDWR), EISDIR);
  EXPECT_OK(meta_->Close(e.ino));
  EXPECT_OK(meta_->Close(e.ino));
}

TEST_P(MetaTest, UnlinkAndRmdirErrors) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0755, 0));
  auto f = Must(meta_->Mknod(root_, d.ino, "f", S_IFREG | 0644, 0, 0));
  EXPECT_ERRNO(meta_->Unlink(root_, kRootIno, "d"), EISDIR);
  EXPECT_ERRNO(meta_->Rmdir(root_, kRootIno, "d"), ENOTEMPTY);
  EXPECT_ERRNO(meta_->Rmdir(root_, d.ino, "f"), ENOTDIR);
  EXPECT_ERRNO(meta_->Unlink(root_, kRootIno, "missing"), ENOENT);
  EXPECT_ERRNO(meta_->Rmdir(root_, kRootIno, "missing"), ENOENT);
  EXPECT_ERRNO(meta_->Unlink(root_, f.ino, "x"), ENOTDIR);
  EXPECT_ERRNO(meta_->Rmdir(root_, d.ino, "."), EINVAL);
  EXPECT_ERRNO(meta_->Rmdir(root_, d.ino, ".."), ENOTEMPTY);
  EXPECT_OK(meta_->Unlink(root_, d.ino, "f"));
  EXPECT_ERRNO(meta_->GetAttr(root_, f.ino), ENOENT);
  EXPECT_OK(meta_->Rmdir(root_, kRootIno, "d"));
  EXPECT_ERRNO(meta_->GetAttr(root_, d.ino), ENOENT);
  EXPECT_EQ(Must(meta_->GetAttr(root_, kRootIno)).nlink, 2u);
  EXPECT_ERRNO(meta_->Rmdir(root_, kRootIno, ".trash"), EPERM);
  EXPECT_EQ(CheckInvariants(meta_->kv()).inodes, 0u);
}

TEST_P(MetaTest, HardLinksTrackParents) {
  auto d1 = Must(meta_->Mkdir(root_, kRootIno, "d1", 0755, 0));
  auto d2 = Must(meta_->Mkdir(root_, kRootIno, "d2", 0755, 0));
  auto f = Must(meta_->Mknod(root_, d1.ino, "f", S_IFREG | 0644, 0, 0));
  EXPECT_EQ(f.attr.parent, d1.ino);
  auto l = Must(meta_->Link(root_, f.ino, d2.ino, "g"));
  EXPECT_EQ(l.attr.nlink, 2u);
  EXPECT_EQ(l.attr.parent, 0u);  // several parents now
  Must(meta_->Link(root_, f.ino, d2.ino, "h"));
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).nlink, 3u);
  CheckInvariants(meta_->kv());
  EXPECT_ERRNO(meta_->Link(root_, f.ino, d2.ino, "g"), EEXIST);
  EXPECT_ERRNO(meta_->Link(root_, d1.ino, d2.ino, "dirlink"), EPERM);
  EXPECT_ERRNO(meta_->Link(root_, f.ino, f.ino, "x"), ENOTDIR);
  EXPECT_ERRNO(meta_->Link(root_, 987654321, d2.ino, "x"), ENOENT);
  EXPECT_OK(meta_->Unlink(root_, d2.ino, "g"));
  EXPECT_OK(meta_->Unlink(root_, d1.ino, "f"));
  auto a = Must(meta_->GetAttr(root_, f.ino));
  EXPECT_EQ(a.nlink, 1u);
  EXPECT_EQ(a.parent, d2.ino);  // back to a single parent
  CheckInvariants(meta_->kv());
  EXPECT_OK(meta_->Unlink(root_, d2.ino, "h"));
  EXPECT_ERRNO(meta_->GetAttr(root_, f.ino), ENOENT);
  EXPECT_EQ(CheckInvariants(meta_->kv()).inodes, 2u);
}

TEST_P(MetaTest, SymlinkReadlink) {
  auto s = Must(meta_->Symlink(root_, kRootIno, "ln", "/some/target"));
  EXPECT_EQ(s.attr.type, FileType::kSymlink);
  EXPECT_EQ(s.attr.length, 12u);
  EXPECT_EQ(Must(meta_->Readlink(root_, s.ino)), "/some/target");
  EXPECT_ERRNO(meta_->Readlink(root_, kRootIno), EINVAL);
  EXPECT_ERRNO(meta_->Symlink(root_, kRootIno, "ln", "x"), EEXIST);
  EXPECT_ERRNO(meta_->Symlink(root_, kRootIno, "long", std::string(4096, 'x')), ENAMETOOLONG);
  EXPECT_ERRNO(meta_->Symlink(root_, kRootIno, "empty", ""), ENOENT);
  EXPECT_OK(meta_->Unlink(root_, kRootIno, "ln"));
  EXPECT_ERRNO(meta_->Readlink(root_, s.ino), ENOENT);
}

TEST_P(MetaTest, ReaddirCursorAndPlus) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0755, 0));
  std::set<std::string> names;
  for (int i = 0; i < 25; i++) {
    std::string n = "e" + std::to_string(i);
    Must(meta_->Mknod(root_, d.ino, n, S_IFREG | 0644, 0, 0));
    names.insert(n);
  }
  Must(meta_->Mkdir(root_, d.ino, "sub", 0755, 0));
  names.insert("sub");
  std::vector<std::string> seen;
  std::string after;
  for (;;) {
    auto batch = Must(meta_->Readdir(root_, d.ino, after, 7, true));
    if (batch.empty()) break;
    EXPECT_LE(batch.size(), 7u);
    for (auto& e : batch) {
      seen.push_back(e.name);
      ASSERT_TRUE(e.attr.has_value());
      EXPECT_EQ(e.attr->type, e.type);
      EXPECT_EQ(e.type, e.name == "sub" ? FileType::kDir : FileType::kFile);
    }
    after = batch.back().name;
  }
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), names);
  EXPECT_EQ(seen.size(), names.size());
  auto f = Must(meta_->Lookup(root_, d.ino, "e1"));
  EXPECT_ERRNO(meta_->Readdir(root_, f.ino, "", 10, false), ENOTDIR);
  EXPECT_ERRNO(meta_->Readdir(root_, 555555555, "", 10, false), ENOENT);
}

TEST_P(MetaTest, ReaddirLargeDirectoryInBatches) {
  const bool fast = GetParam() == "mem" || GetParam() == "sqlite3";
  const int n = fast ? 20000 : 3000;
  auto d = Must(meta_->Mkdir(root_, kRootIno, "big", 0755, 0));
  for (int i = 0; i < n; i++) Must(meta_->Mknod(root_, d.ino, "file-" + std::to_string(i), S_IFREG | 0644, 0, 0));
  size_t total = 0, batches = 0;
  std::string after, prev;
  for (;;) {
    auto batch = Must(meta_->Readdir(root_, d.ino, after, 1000, false));
    if (batch.empty()) break;
    ASSERT_LE(batch.size(), 1000u);
    for (auto& e : batch) {
      ASSERT_LT(prev, e.name);
      prev = e.name;
    }
    total += batch.size();
    batches++;
    after = batch.back().name;
  }
  EXPECT_EQ(total, static_cast<size_t>(n));
  EXPECT_EQ(batches, static_cast<size_t>((n + 999) / 1000));
}

TEST_P(MetaTest, StatFsCountsUnflushedAndFlushedUsage) {
  auto before = Must(meta_->StatFs(root_, kRootIno));
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  Must(meta_->Truncate(root_, f.ino, 10000, false));
  auto mid = Must(meta_->StatFs(root_, kRootIno));
  EXPECT_EQ(mid.usedInodes, before.usedInodes + 1);
  EXPECT_EQ(mid.totalSpace - mid.availSpace, 12288u);  // 4 KiB aligned
  ASSERT_OK(impl().FlushUsage());
  EXPECT_EQ(impl().pendingInodes(), 0);
  auto other = OpenClient();
  auto seen = Must(other->StatFs(root_, kRootIno));
  EXPECT_EQ(seen.usedInodes, before.usedInodes + 1);
  EXPECT_EQ(seen.totalSpace - seen.availSpace, 12288u);
  auto scan = CheckInvariants(meta_->kv());
  EXPECT_EQ(scan.usedSpace, 12288);
  EXPECT_EQ(scan.inodes, 1u);
}

class MetaLimitTest : public MetaTest {
  void Customize(VolumeFormat& f) override {
    f.capacity = 1 << 20;
    f.inodes = 3;
  }
};

TEST_P(MetaLimitTest, CapacityAndInodeLimitsGiveENOSPC) {
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  EXPECT_OK(meta_->Truncate(root_, f.ino, 1 << 20, false));
  EXPECT_ERRNO(meta_->Truncate(root_, f.ino, (1 << 20) + 1, false), ENOSPC);
  EXPECT_ERRNO(meta_->Fallocate(root_, f.ino, 0, 0, (1 << 20) + 4096), ENOSPC);
  auto st = Must(meta_->StatFs(root_, kRootIno));
  EXPECT_EQ(st.totalSpace, 1u << 20);
  EXPECT_EQ(st.availSpace, 0u);
  EXPECT_EQ(st.availInodes, 2u);
  Must(meta_->Mknod(root_, kRootIno, "a", S_IFREG | 0644, 0, 0));
  Must(meta_->Mkdir(root_, kRootIno, "b", 0755, 0));
  EXPECT_ERRNO(meta_->Mknod(root_, kRootIno, "c", S_IFREG | 0644, 0, 0), ENOSPC);
  EXPECT_OK(meta_->Unlink(root_, kRootIno, "a"));
  EXPECT_OK(meta_->Mknod(root_, kRootIno, "c", S_IFREG | 0644, 0, 0));
}

TEST_P(MetaTest, ReadOnlyClientReturnsEROFS) {
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  MetaOptions ro;
  ro.readOnly = true;
  auto c = OpenClient(ro);
  EXPECT_OK(c->Lookup(root_, kRootIno, "f"));
  EXPECT_OK(c->Readdir(root_, kRootIno, "", 10, true));
  EXPECT_ERRNO(c->Mkdir(root_, kRootIno, "d", 0755, 0), EROFS);
  EXPECT_ERRNO(c->Mknod(root_, kRootIno, "n", S_IFREG | 0644, 0, 0), EROFS);
  EXPECT_ERRNO(c->Create(root_, kRootIno, "n", 0644, 0, O_RDWR), EROFS);
  EXPECT_ERRNO(c->Unlink(root_, kRootIno, "f"), EROFS);
  EXPECT_ERRNO(c->Rename(root_, kRootIno, "f", kRootIno, "g", 0), EROFS);
  EXPECT_ERRNO(c->SetAttr(root_, f.ino, kSetMode, Attr{.mode = 0600}), EROFS);
  EXPECT_ERRNO(c->SetXattr(root_, f.ino, "user.a", "b", 0), EROFS);
  EXPECT_ERRNO(c->Open(root_, f.ino, O_WRONLY), EROFS);
  EXPECT_OK(c->Open(root_, f.ino, O_RDONLY));
  EXPECT_ERRNO(c->Truncate(root_, f.ino, 0, true), EROFS);
  EXPECT_ERRNO(c->WriteSlice(f.ino, 0, SliceRecord{0, 1, 10, 0, 10}, 1), EROFS);
  EXPECT_ERRNO(c->NewSliceId(), EROFS);
}

INSTANTIATE_TEST_SUITE_P(Engines, MetaTest, ::testing::ValuesIn(testing::EngineNames()), testing::EngineParamName);
INSTANTIATE_TEST_SUITE_P(Engines, MetaLimitTest, ::testing::ValuesIn(testing::EngineNames()),
                         testing::EngineParamName);

}  // namespace
}  // namespace slicefs::metatest
