// Conformance: rename within and across directories, overwrite rules,
// RENAME_NOREPLACE, RENAME_EXCHANGE, moving a directory under itself.
#include <sys/stat.h>

#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

TEST_P(MetaTest, RenameFileWithinAndAcrossDirectories) {
  auto a = Must(meta_->Mkdir(root_, kRootIno, "a", 0755, 0));
  auto b = Must(meta_->Mkdir(root_, kRootIno, "b", 0755, 0));
  auto f = Must(meta_->Mknod(root_, a.ino, "f", S_IFREG | 0644, 0, 0));
  ASSERT_OK(meta_->Rename(root_, a.ino, "f", a.ino, "g", 0));
  EXPECT_ERRNO(meta_->Lookup(root_, a.ino, "f"), ENOENT);
  EXPECT_EQ(Must(meta_->Lookup(root_, a.ino, "g")).ino, f.ino);
  ASSERT_OK(meta_->Rename(root_, a.ino, "g", b.ino, "h", 0));
  EXPECT_EQ(Must(meta_->Lookup(root_, b.ino, "h")).ino, f.ino);
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).parent, b.ino);
  EXPECT_ERRNO(meta_->Rename(root_, a.ino, "missing", b.ino, "x", 0), ENOENT);
  EXPECT_ERRNO(meta_->Rename(root_, b.ino, "h", 99999999, "x", 0), ENOENT);
  EXPECT_ERRNO(meta_->Rename(root_, b.ino, "h", f.ino, "x", 0), ENOTDIR);
  EXPECT_ERRNO(meta_->Rename(root_, b.ino, "h", a.ino, std::string(256, 'x'), 0), ENAMETOOLONG);
  EXPECT_ERRNO(meta_->Rename(root_, b.ino, "h", a.ino, "x", 4), EINVAL);
  EXPECT_ERRNO(meta_->Rename(root_, b.ino, "h", a.ino, "x", kRenameExchange | kRenameNoReplace), EINVAL);
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTest, RenameDirectoryUpdatesNlinkAndParent) {
  auto a = Must(meta_->Mkdir(root_, kRootIno, "a", 0755, 0));
  auto b = Must(meta_->Mkdir(root_, kRootIno, "b", 0755, 0));
  auto d = Must(meta_->Mkdir(root_, a.ino, "d", 0755, 0));
  EXPECT_EQ(Must(meta_->GetAttr(root_, a.ino)).nlink, 3u);
  ASSERT_OK(meta_->Rename(root_, a.ino, "d", b.ino, "d2", 0));
  EXPECT_EQ(Must(meta_->GetAttr(root_, a.ino)).nlink, 2u);
  EXPECT_EQ(Must(meta_->GetAttr(root_, b.ino)).nlink, 3u);
  EXPECT_EQ(Must(meta_->GetAttr(root_, d.ino)).parent, b.ino);
  EXPECT_EQ(Must(meta_->Lookup(root_, d.ino, "..")).ino, b.ino);
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTest, RenameOverExistingFileReplacesIt) {
  auto f = Must(meta_->Mknod(root_, kRootIno, "f", S_IFREG | 0644, 0, 0));
  auto g = Must(meta_->Mknod(root_, kRootIno, "g", S_IFREG | 0644, 0, 0));
  ASSERT_OK(meta_->Rename(root_, kRootIno, "f", kRootIno, "g", 0));
  EXPECT_EQ(Must(meta_->Lookup(root_, kRootIno, "g")).ino, f.ino);
  EXPECT_ERRNO(meta_->GetAttr(root_, g.ino), ENOENT);
  EXPECT_EQ(CheckInvariants(meta_->kv()).inodes, 1u);
}

TEST_P(MetaTest, RenameOverDirectory) {
  auto a = Must(meta_->Mkdir(root_, kRootIno, "a", 0755, 0));
  auto b = Must(meta_->Mkdir(root_, kRootIno, "b", 0755, 0));
  auto f = Must(meta_->Mknod(root_, kRootIno, "f", S_IFREG | 0644, 0, 0));
  Must(meta_->Mknod(root_, b.ino, "inside", S_IFREG | 0644, 0, 0));
  EXPECT_ERRNO(meta_->Rename(root_, kRootIno, "a", kRootIno, "b", 0), ENOTEMPTY);
  EXPECT_ERRNO(meta_->Rename(root_, kRootIno, "a", kRootIno, "f", 0), ENOTDIR);
  EXPECT_ERRNO(meta_->Rename(root_, kRootIno, "f", kRootIno, "a", 0), EISDIR);
  ASSERT_OK(meta_->Unlink(root_, b.ino, "inside"));
  ASSERT_OK(meta_->Rename(root_, kRootIno, "a", kRootIno, "b", 0));
  EXPECT_EQ(Must(meta_->Lookup(root_, kRootIno, "b")).ino, a.ino);
  EXPECT_ERRNO(meta_->GetAttr(root_, b.ino), ENOENT);
  EXPECT_EQ(Must(meta_->GetAttr(root_, kRootIno)).nlink, 3u);
  (void)f;
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTest, RenameDirectoryUnderItselfIsEINVAL) {
  auto a = Must(meta_->Mkdir(root_, kRootIno, "a", 0755, 0));
  auto b = Must(meta_->Mkdir(root_, a.ino, "b", 0755, 0));
  auto c = Must(meta_->Mkdir(root_, b.ino, "c", 0755, 0));
  EXPECT_ERRNO(meta_->Rename(root_, kRootIno, "a", c.ino, "x", 0), EINVAL);
  EXPECT_ERRNO(meta_->Rename(root_, kRootIno, "a", a.ino, "x", 0), EINVAL);
  EXPECT_ERRNO(meta_->Rename(root_, kRootIno, "a", b.ino, "x", 0), EINVAL);
  auto e = Must(meta_->Mkdir(root_, kRootIno, "e", 0755, 0));
  // Exchanging a dir with a dir inside it is also a loop.
  EXPECT_ERRNO(meta_->Rename(root_, b.ino, "c", kRootIno, "a", kRenameExchange), EINVAL);
  ASSERT_OK(meta_->Rename(root_, kRootIno, "e", c.ino, "e", 0));
  EXPECT_EQ(Must(meta_->Lookup(root_, c.ino, "e")).ino, e.ino);
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTest, RenameNoReplace) {
  Must(meta_->Mknod(root_, kRootIno, "f", S_IFREG | 0644, 0, 0));
  Must(meta_->Mknod(root_, kRootIno, "g", S_IFREG | 0644, 0, 0));
  EXPECT_ERRNO(meta_->Rename(root_, kRootIno, "f", kRootIno, "g", kRenameNoReplace), EEXIST);
  EXPECT_OK(meta_->Rename(root_, kRootIno, "f", kRootIno, "h", kRenameNoReplace));
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTest, RenameExchange) {
  auto a = Must(meta_->Mkdir(root_, kRootIno, "a", 0755, 0));
  auto b = Must(meta_->Mkdir(root_, kRootIno, "b", 0755, 0));
  auto f = Must(meta_->Mknod(root_, a.ino, "f", S_IFREG | 0644, 0, 0));
  auto d = Must(meta_->Mkdir(root_, b.ino, "d", 0755, 0));
  ASSERT_OK(meta_->Rename(root_, a.ino, "f", b.ino, "d", kRenameExchange));
  EXPECT_EQ(Must(meta_->Lookup(root_, a.ino, "f")).ino, d.ino);
  EXPECT_EQ(Must(meta_->Lookup(root_, b.ino, "d")).ino, f.ino);
  EXPECT_EQ(Must(meta_->GetAttr(root_, a.ino)).nlink, 3u);
  EXPECT_EQ(Must(meta_->GetAttr(root_, b.ino)).nlink, 2u);
  EXPECT_EQ(Must(meta_->GetAttr(root_, d.ino)).parent, a.ino);
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).parent, b.ino);
  EXPECT_ERRNO(meta_->Rename(root_, a.ino, "f", b.ino, "missing", kRenameExchange), ENOENT);
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTest, RenameHardLinkOntoItselfIsNoop) {
  auto f = Must(meta_->Mknod(root_, kRootIno, "f", S_IFREG | 0644, 0, 0));
  Must(meta_->Link(root_, f.ino, kRootIno, "g"));
  ASSERT_OK(meta_->Rename(root_, kRootIno, "f", kRootIno, "g", 0));
  EXPECT_OK(meta_->Lookup(root_, kRootIno, "f"));
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).nlink, 2u);
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0755, 0));
  ASSERT_OK(meta_->Rename(root_, kRootIno, "g", d.ino, "g", 0));  // parent records follow
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTest, RenameUpdatesCtimeAndParentTimes) {
  auto f = Must(meta_->Mknod(root_, kRootIno, "f", S_IFREG | 0644, 0, 0));
  auto root0 = Must(meta_->GetAttr(root_, kRootIno));
  ASSERT_OK(meta_->Rename(root_, kRootIno, "f", kRootIno, "g", 0));
  EXPECT_GT(Must(meta_->GetAttr(root_, f.ino)).ctimeNs, f.attr.ctimeNs);
  EXPECT_GT(Must(meta_->GetAttr(root_, kRootIno)).mtimeNs, root0.mtimeNs);
}

}  // namespace
}  // namespace slicefs::metatest
