// Inode flags across mounts: chattr +i / +a set on one mount is enforced by
// another (the checks run in the metadata transactions), shows in its
// lsattr after the attribute cache expires, and survives a remount.

#include "multi/multi_env.h"

namespace slicefs::testing {
namespace {

class MultiInodeFlags : public MultiMountTest {};


TEST_P(MultiInodeFlags, SetOnOneMountEnforcedAndShownOnAnotherAndAfterRemount) {
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  ASSERT_TRUE(WriteFile(*a / "f", "data"));
  ASSERT_OK(mkdir((*a / "d").c_str(), 0755));
  ASSERT_EQ(GetInodeFlags(*b / "f"), 0);  // b has looked it up (and cached it)
  ASSERT_EQ(SetInodeFlags(*a / "f", FS_IMMUTABLE_FL), 0);
  ASSERT_EQ(SetInodeFlags(*a / "d", FS_APPEND_FL), 0);
  // Enforced on b at once (no cache involved: every change is a transaction).
  EXPECT_ERRNO(open((*b / "f").c_str(), O_WRONLY), EPERM);
  EXPECT_ERRNO(unlink((*b / "f").c_str()), EPERM);
  EXPECT_ERRNO(truncate((*b / "f").c_str(), 0), EPERM);
  ASSERT_TRUE(WriteFile(*b / "d/x", "1"));
  EXPECT_ERRNO(unlink((*b / "d/x").c_str()), EPERM);
  // Shown on b once its attribute cache expired.
  EXPECT_TRUE(WaitFor([&] { return GetInodeFlags(*b / "f") == FS_IMMUTABLE_FL; }, kCacheTimeout * 5));
  EXPECT_EQ(GetInodeFlags(*b / "d"), FS_APPEND_FL);
  // b clears one, a sees it.
  ASSERT_EQ(SetInodeFlags(*b / "d", 0), 0);
  EXPECT_TRUE(WaitFor([&] { return GetInodeFlags(*a / "d") == 0; }, kCacheTimeout * 5));
  EXPECT_OK(unlink((*a / "d/x").c_str()));
  // Remount: the flag is stored with the inode.
  ASSERT_OK(a->Unmount());
  ASSERT_OK(b->Unmount());
  ASSERT_OK(a->Mount());
  EXPECT_EQ(GetInodeFlags(*a / "f"), FS_IMMUTABLE_FL);
  EXPECT_ERRNO(open((*a / "f").c_str(), O_RDWR), EPERM);
  EXPECT_EQ(ReadFile(*a / "f"), "data");
  ASSERT_EQ(SetInodeFlags(*a / "f", 0), 0);
  EXPECT_OK(unlink((*a / "f").c_str()));
  ASSERT_OK(b->Mount());
}

INSTANTIATE_MULTI_SUITE(MultiInodeFlags);

}  // namespace
}  // namespace slicefs::testing
