// Attributes: chmod/chown/utimensat permission rules as an unprivileged
// user, timestamps per operation, statfs, and extended attributes.
#include <sys/statvfs.h>
#include <sys/xattr.h>

#include <chrono>
#include <set>
#include <thread>

#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

class AttrTest : public MountedTest {};

constexpr uid_t kUser = 65534;   // nobody
constexpr gid_t kGroup = 65534;  // nogroup
constexpr gid_t kOtherGroup = 4242;

void Tick() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

TEST_F(AttrTest, ChmodRules) {
  ASSERT_TRUE(WriteFile(P("f"), "x"));
  ASSERT_OK(chmod(P("f").c_str(), 0640));
  EXPECT_EQ(Stat(P("f")).st_mode & 07777, 0640u);
  std::string f = P("f");
  // Not the owner: EPERM.
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return chmod(f.c_str(), 0777) == 0 ? 0 : errno; }), EPERM);
  // The owner may chmod; setting sgid for a group it is not in clears it.
  ASSERT_OK(chown(f.c_str(), kUser, kOtherGroup));
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return chmod(f.c_str(), 02755) == 0 ? 0 : errno; }), 0);
  EXPECT_EQ(Stat(f).st_mode & 07777, 0755u);
  EXPECT_EQ(RunAs(kUser, kGroup, {kOtherGroup}, [&] { return chmod(f.c_str(), 02755) == 0 ? 0 : errno; }), 0);
  EXPECT_EQ(Stat(f).st_mode & 07777, 02755u);
  EXPECT_ERRNO(chmod(P("missing").c_str(), 0644), ENOENT);
}

TEST_F(AttrTest, ChownRules) {
  ASSERT_TRUE(WriteFile(P("f"), "x"));
  std::string f = P("f");
  ASSERT_OK(chown(f.c_str(), kUser, kGroup));
  struct stat st = Stat(f);
  EXPECT_EQ(st.st_uid, kUser);
  EXPECT_EQ(st.st_gid, kGroup);
  // Giving a file away is root's privilege.
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return chown(f.c_str(), 0, -1) == 0 ? 0 : errno; }), EPERM);
  // The owner may change the group to one of its groups only.
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return chown(f.c_str(), -1, kOtherGroup) == 0 ? 0 : errno; }), EPERM);
  EXPECT_EQ(RunAs(kUser, kGroup, {kOtherGroup}, [&] {
    return chown(f.c_str(), -1, kOtherGroup) == 0 ? 0 : errno;
  }), 0);
  EXPECT_EQ(Stat(f).st_gid, kOtherGroup);
  // Someone else cannot change the group at all.
  EXPECT_EQ(RunAs(1234, kOtherGroup, {kOtherGroup}, [&] {
    return chown(f.c_str(), -1, kOtherGroup) == 0 ? 0 : errno;
  }), EPERM);
  // chown clears suid/sgid of an executable.
  ASSERT_OK(chmod(f.c_str(), 06755));
  ASSERT_OK(chown(f.c_str(), 0, 0));
  EXPECT_EQ(Stat(f).st_mode & 07000, 0u);
}

TEST_F(AttrTest, WriteByOtherClearsSuid) {
  ASSERT_TRUE(WriteFile(P("s"), "x"));
  std::string s = P("s");
  ASSERT_OK(chmod(s.c_str(), 04777));
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] {
    int fd = open(s.c_str(), O_WRONLY);
    if (fd < 0) return errno;
    int r = write(fd, "y", 1) == 1 ? 0 : 100 + errno;
    close(fd);
    return r;
  }), 0);
  EXPECT_EQ(Stat(s).st_mode & 07777, 0777u);
}

TEST_F(AttrTest, UtimensatRules) {
  ASSERT_TRUE(WriteFile(P("u"), "x"));
  std::string u = P("u");
  struct timespec ts[2] = {{1000, 5}, {2000, 7}};
  ASSERT_OK(utimensat(AT_FDCWD, u.c_str(), ts, 0));
  struct stat st = Stat(u);
  EXPECT_EQ(Ns(st.st_atim), 1000LL * 1000000000 + 5);
  EXPECT_EQ(Ns(st.st_mtim), 2000LL * 1000000000 + 7);
  // UTIME_OMIT keeps one, UTIME_NOW sets the other to now.
  struct timespec ts2[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  ASSERT_OK(utimensat(AT_FDCWD, u.c_str(), ts2, 0));
  st = Stat(u);
  EXPECT_EQ(Ns(st.st_atim), 1000LL * 1000000000 + 5);
  EXPECT_GT(st.st_mtim.tv_sec, 1600000000);
  // Non-owner with write permission may set "now" but not explicit times.
  ASSERT_OK(chmod(u.c_str(), 0666));
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return utimensat(AT_FDCWD, u.c_str(), nullptr, 0) == 0 ? 0 : errno; }), 0);
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return utimensat(AT_FDCWD, u.c_str(), ts, 0) == 0 ? 0 : errno; }), EPERM);
  // Without write permission, not even "now".
  ASSERT_OK(chmod(u.c_str(), 0644));
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return utimensat(AT_FDCWD, u.c_str(), nullptr, 0) == 0 ? 0 : errno; }), EACCES);
  // The owner may set anything.
  ASSERT_OK(chown(u.c_str(), kUser, kGroup));
  ASSERT_OK(chmod(u.c_str(), 0444));
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return utimensat(AT_FDCWD, u.c_str(), ts, 0) == 0 ? 0 : errno; }), 0);
  // Symlinks themselves (AT_SYMLINK_NOFOLLOW).
  ASSERT_OK(symlink("u", P("ul").c_str()));
  ASSERT_OK(utimensat(AT_FDCWD, P("ul").c_str(), ts, AT_SYMLINK_NOFOLLOW));
  EXPECT_EQ(Ns(Stat(P("ul")).st_mtim), 2000LL * 1000000000 + 7);
}

TEST_F(AttrTest, TimestampsPerOperation) {
  ASSERT_TRUE(WriteFile(P("t"), "abc"));
  std::string t = P("t");
  Tick();
  // write: mtime and ctime move, atime does not.
  struct stat before = Stat(t);
  int fd = open(t.c_str(), O_WRONLY);
  ASSERT_EQ(write(fd, "x", 1), 1);
  struct stat mid;
  ASSERT_OK(fstat(fd, &mid));  // visible before close
  close(fd);
  struct stat after = Stat(t);
  EXPECT_GT(Ns(mid.st_mtim), Ns(before.st_mtim));
  EXPECT_GT(Ns(after.st_mtim), Ns(before.st_mtim));
  EXPECT_GE(Ns(after.st_ctim), Ns(after.st_mtim));
  EXPECT_EQ(Ns(after.st_atim), Ns(before.st_atim));
  // read: mtime and ctime unchanged.
  Tick();
  before = Stat(t);
  EXPECT_EQ(ReadFile(t), "xbc");
  after = Stat(t);
  EXPECT_EQ(Ns(after.st_mtim), Ns(before.st_mtim));
  EXPECT_EQ(Ns(after.st_ctim), Ns(before.st_ctim));
  // chmod: ctime only.
  Tick();
  before = Stat(t);
  ASSERT_OK(chmod(t.c_str(), 0600));
  after = Stat(t);
  EXPECT_EQ(Ns(after.st_mtim), Ns(before.st_mtim));
  EXPECT_GT(Ns(after.st_ctim), Ns(before.st_ctim));
  // truncate: mtime and ctime.
  Tick();
  before = Stat(t);
  ASSERT_OK(truncate(t.c_str(), 1));
  after = Stat(t);
  EXPECT_GT(Ns(after.st_mtim), Ns(before.st_mtim));
  EXPECT_GT(Ns(after.st_ctim), Ns(before.st_ctim));
  // link / rename / unlink: the inode's ctime; the directories' mtime+ctime.
  Tick();
  before = Stat(t);
  struct stat dirBefore = Stat(dir_);
  ASSERT_OK(link(t.c_str(), P("t2").c_str()));
  after = Stat(t);
  struct stat dirAfter = Stat(dir_);
  EXPECT_GT(Ns(after.st_ctim), Ns(before.st_ctim));
  EXPECT_EQ(Ns(after.st_mtim), Ns(before.st_mtim));
  EXPECT_GT(Ns(dirAfter.st_mtim), Ns(dirBefore.st_mtim));
  EXPECT_GT(Ns(dirAfter.st_ctim), Ns(dirBefore.st_ctim));
  Tick();
  before = Stat(t);
  dirBefore = Stat(dir_);
  ASSERT_OK(rename(P("t2").c_str(), P("t3").c_str()));
  after = Stat(t);
  dirAfter = Stat(dir_);
  EXPECT_GT(Ns(after.st_ctim), Ns(before.st_ctim));
  EXPECT_GT(Ns(dirAfter.st_mtim), Ns(dirBefore.st_mtim));
  Tick();
  before = Stat(t);
  ASSERT_OK(unlink(P("t3").c_str()));
  after = Stat(t);
  EXPECT_GT(Ns(after.st_ctim), Ns(before.st_ctim));
  EXPECT_EQ(after.st_nlink, 1u);
  // mkdir/rmdir: parent mtime.
  Tick();
  dirBefore = Stat(dir_);
  ASSERT_OK(mkdir(P("sub").c_str(), 0755));
  dirAfter = Stat(dir_);
  EXPECT_GT(Ns(dirAfter.st_mtim), Ns(dirBefore.st_mtim));
  // A new file's times are all equal and recent.
  fd = open(P("new").c_str(), O_CREAT | O_WRONLY, 0644);
  close(fd);
  struct stat n = Stat(P("new"));
  EXPECT_EQ(Ns(n.st_mtim), Ns(n.st_ctim));
  EXPECT_GE(Ns(n.st_mtim), Ns(dirAfter.st_mtim));
  // setxattr: ctime.
  Tick();
  before = Stat(t);
  ASSERT_OK(setxattr(t.c_str(), "user.k", "v", 1, 0));
  after = Stat(t);
  EXPECT_GT(Ns(after.st_ctim), Ns(before.st_ctim));
}

TEST_F(AttrTest, StatFs) {
  struct statvfs sv;
  ASSERT_OK(statvfs(mount_->path().c_str(), &sv));
  EXPECT_EQ(sv.f_namemax, 255u);
  EXPECT_GT(sv.f_bsize, 0u);
  EXPECT_GT(sv.f_blocks, 0u);
  EXPECT_LE(sv.f_bfree, sv.f_blocks);
  EXPECT_GT(sv.f_files, 0u);
  uint64_t usedBefore = (sv.f_blocks - sv.f_bfree) * sv.f_frsize;
  uint64_t inodesBefore = sv.f_files - sv.f_ffree;
  ASSERT_TRUE(WriteFile(P("space"), std::string(8 << 20, 'x')));
  for (int i = 0; i < 10; i++) ASSERT_TRUE(WriteFile(P("i" + std::to_string(i)), ""));
  bool grew = false;
  for (int i = 0; i < 50 && !grew; i++) {  // usage deltas are flushed periodically
    ASSERT_OK(statvfs(P("space").c_str(), &sv));
    grew = (sv.f_blocks - sv.f_bfree) * sv.f_frsize >= usedBefore + (8 << 20) &&
           sv.f_files - sv.f_ffree >= inodesBefore + 11;
    if (!grew) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(grew) << "statfs did not account 8 MiB and 11 inodes";
}

TEST_F(AttrTest, Xattrs) {
  ASSERT_TRUE(WriteFile(P("x"), ""));
  std::string x = P("x");
  ASSERT_OK(setxattr(x.c_str(), "user.a", "1", 1, 0));
  ASSERT_OK(setxattr(x.c_str(), "user.b", "", 0, 0));  // empty value
  ASSERT_OK(setxattr(x.c_str(), "user.bin", "\0\1\2", 3, 0));
  char buf[65536];
  EXPECT_EQ(getxattr(x.c_str(), "user.a", buf, sizeof(buf)), 1);
  EXPECT_EQ(buf[0], '1');
  EXPECT_EQ(getxattr(x.c_str(), "user.b", buf, sizeof(buf)), 0);
  EXPECT_EQ(getxattr(x.c_str(), "user.bin", nullptr, 0), 3);  // size query
  EXPECT_ERRNO(getxattr(x.c_str(), "user.bin", buf, 2), ERANGE);
  EXPECT_ERRNO(getxattr(x.c_str(), "user.none", buf, sizeof(buf)), ENODATA);
  EXPECT_ERRNO(setxattr(x.c_str(), "user.a", "2", 1, XATTR_CREATE), EEXIST);
  EXPECT_ERRNO(setxattr(x.c_str(), "user.c", "2", 1, XATTR_REPLACE), ENODATA);
  ASSERT_OK(setxattr(x.c_str(), "user.a", "22", 2, XATTR_REPLACE));
  EXPECT_EQ(getxattr(x.c_str(), "user.a", buf, sizeof(buf)), 2);
  ssize_t n = listxattr(x.c_str(), buf, sizeof(buf));
  ASSERT_GT(n, 0);
  std::set<std::string> names;
  for (ssize_t i = 0; i < n; i += strlen(buf + i) + 1) names.insert(buf + i);
  EXPECT_EQ(names, (std::set<std::string>{"user.a", "user.b", "user.bin"}));
  EXPECT_EQ(listxattr(x.c_str(), nullptr, 0), n);
  EXPECT_ERRNO(listxattr(x.c_str(), buf, 3), ERANGE);
  ASSERT_OK(removexattr(x.c_str(), "user.a"));
  EXPECT_ERRNO(removexattr(x.c_str(), "user.a"), ENODATA);
  EXPECT_ERRNO(getxattr(x.c_str(), "user.a", buf, sizeof(buf)), ENODATA);
  // Limits: 64 KiB values, 255-byte names.
  std::string big(65536, 'v');
  ASSERT_OK(setxattr(x.c_str(), "user.big", big.data(), big.size(), 0));
  std::string got(65536, '\0');
  EXPECT_EQ(getxattr(x.c_str(), "user.big", got.data(), got.size()), 65536);
  EXPECT_TRUE(got == big);
  EXPECT_ERRNO(setxattr(x.c_str(), "user.huge", big.data(), big.size() + 1, 0), E2BIG);
  EXPECT_ERRNO(setxattr(x.c_str(), ("user." + std::string(300, 'n')).c_str(), "v", 1, 0), ERANGE);
  // On directories too; user.* is refused on symlinks by the kernel.
  ASSERT_OK(setxattr(dir_.c_str(), "user.dir", "d", 1, 0));
  EXPECT_EQ(getxattr(dir_.c_str(), "user.dir", buf, sizeof(buf)), 1);
  ASSERT_OK(symlink("x", P("xl").c_str()));
  EXPECT_ERRNO(lsetxattr(P("xl").c_str(), "user.l", "v", 1, 0), EPERM);
  // Unprivileged user without write permission cannot set.
  ASSERT_OK(chmod(x.c_str(), 0644));
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return setxattr(x.c_str(), "user.z", "v", 1, 0) == 0 ? 0 : errno; }), EACCES);
  // xattrs survive rename and follow the inode through hard links.
  ASSERT_OK(link(x.c_str(), P("xh").c_str()));
  EXPECT_EQ(getxattr(P("xh").c_str(), "user.bin", buf, sizeof(buf)), 3);
}

}  // namespace
}  // namespace slicefs::testing
