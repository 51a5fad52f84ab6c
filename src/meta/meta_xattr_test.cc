// Conformance: extended attributes.
#include <sys/stat.h>

#include <algorithm>

#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

TEST_P(MetaTest, XattrSetGetListRemove) {
  auto f = Must(meta_->Mknod(root_, kRootIno, "f", S_IFREG | 0644, 0, 0));
  EXPECT_ERRNO(meta_->GetXattr(root_, f.ino, "user.a"), ENODATA);
  ASSERT_OK(meta_->SetXattr(root_, f.ino, "user.a", "one", 0));
  ASSERT_OK(meta_->SetXattr(root_, f.ino, "user.b", std::string("\0bin\xff", 5), 0));
  EXPECT_EQ(Must(meta_->GetXattr(root_, f.ino, "user.a")), "one");
  EXPECT_EQ(Must(meta_->GetXattr(root_, f.ino, "user.b")), std::string("\0bin\xff", 5));
  auto names = Must(meta_->ListXattr(root_, f.ino));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"user.a", "user.b"}));
  EXPECT_ERRNO(meta_->SetXattr(root_, f.ino, "user.a", "x", kXattrCreate), EEXIST);
  EXPECT_ERRNO(meta_->SetXattr(root_, f.ino, "user.c", "x", kXattrReplace), ENODATA);
  EXPECT_OK(meta_->SetXattr(root_, f.ino, "user.a", "two", kXattrReplace));
  EXPECT_OK(meta_->SetXattr(root_, f.ino, "user.c", "", kXattrCreate));
  EXPECT_EQ(Must(meta_->GetXattr(root_, f.ino, "user.c")), "");
  EXPECT_EQ(Must(meta_->GetXattr(root_, f.ino, "user.a")), "two");
  EXPECT_ERRNO(meta_->SetXattr(root_, f.ino, "user.a", "x", kXattrCreate | kXattrReplace), EINVAL);
  ASSERT_OK(meta_->RemoveXattr(root_, f.ino, "user.a"));
  EXPECT_ERRNO(meta_->RemoveXattr(root_, f.ino, "user.a"), ENODATA);
  EXPECT_ERRNO(meta_->GetXattr(root_, f.ino, "user.a"), ENODATA);
  EXPECT_EQ(Must(meta_->ListXattr(root_, f.ino)).size(), 2u);
  EXPECT_ERRNO(meta_->GetXattr(root_, 77777777, "user.a"), ENOENT);
}

TEST_P(MetaTest, XattrLimits) {
  auto f = Must(meta_->Mknod(root_, kRootIno, "f", S_IFREG | 0644, 0, 0));
  EXPECT_ERRNO(meta_->SetXattr(root_, f.ino, "user." + std::string(251, 'n'), "v", 0), ERANGE);
  EXPECT_OK(meta_->SetXattr(root_, f.ino, "user." + std::string(250, 'n'), "v", 0));
  EXPECT_ERRNO(meta_->SetXattr(root_, f.ino, "", "v", 0), ERANGE);
  EXPECT_ERRNO(meta_->GetXattr(root_, f.ino, ""), ERANGE);
  EXPECT_ERRNO(meta_->SetXattr(root_, f.ino, "user.big", std::string(65537, 'v'), 0), E2BIG);
  EXPECT_OK(meta_->SetXattr(root_, f.ino, "user.big", std::string(65536, 'v'), 0));
  EXPECT_EQ(Must(meta_->GetXattr(root_, f.ino, "user.big")).size(), 65536u);
  EXPECT_ERRNO(meta_->SetXattr(root_, f.ino, "nonamespace", "v", 0), EOPNOTSUPP);
}

TEST_P(MetaTest, XattrPermissionsAndNamespaces) {
  const Ctx alice = User(1000, 1000), bob = User(1001, 1001);
  auto f = Must(meta_->Mknod(alice, kRootIno, "f", S_IFREG | 0640, 0, 0));
  EXPECT_OK(meta_->SetXattr(alice, f.ino, "user.a", "v", 0));
  EXPECT_ERRNO(meta_->GetXattr(bob, f.ino, "user.a"), EACCES);
  EXPECT_ERRNO(meta_->SetXattr(bob, f.ino, "user.a", "w", 0), EACCES);
  EXPECT_ERRNO(meta_->RemoveXattr(bob, f.ino, "user.a"), EACCES);
  EXPECT_ERRNO(meta_->SetXattr(alice, f.ino, "trusted.t", "v", 0), EPERM);
  EXPECT_OK(meta_->SetXattr(root_, f.ino, "trusted.t", "v", 0));
  auto names = Must(meta_->ListXattr(alice, f.ino));
  EXPECT_EQ(names, std::vector<std::string>{"user.a"});  // trusted.* hidden from non-root
  EXPECT_EQ(Must(meta_->ListXattr(root_, f.ino)).size(), 2u);
  auto s = Must(meta_->Symlink(alice, kRootIno, "ln", "f"));
  EXPECT_ERRNO(meta_->SetXattr(alice, s.ino, "user.a", "v", 0), EPERM);
  // The last unlink removes the xattrs with the inode.
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  EXPECT_ERRNO(meta_->GetXattr(root_, f.ino, "user.a"), ENOENT);
}

}  // namespace
}  // namespace slicefs::metatest
