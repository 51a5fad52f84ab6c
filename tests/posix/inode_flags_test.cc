// Inode flags (chattr +i / +a) through a real mount: FS_IOC_GETFLAGS/
// SETFLAGS on files and directories, e2fsprogs' lsattr/chattr, what the
// immutable and append-only flags forbid (EPERM, as ext4/tmpfs do), and
// that only root changes them. Other mounts and remounts: tests/multi.
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <cstdio>

#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

class InodeFlagsTest : public MountedTest {
 protected:
  void TearDown() override {
    // Clear flags so the suite's cleanup can remove everything.
    if (!dir_.empty()) (void)std::system(("chattr -R -ia " + dir_ + " >/dev/null 2>&1").c_str());
  }
};

constexpr uid_t kUser = 65534;
constexpr gid_t kGroup = 65534;

// Output of a shell command (stdout+stderr) and its exit status.
std::pair<int, std::string> Sh(const std::string& cmd) {
  std::string out;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return {-1, ""};
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  int st = pclose(f);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}
int Err(int rc) { return rc == 0 ? 0 : errno; }

TEST_F(InodeFlagsTest, IoctlAndLsattrOnFilesAndDirs) {
  ASSERT_TRUE(WriteFile(P("f"), "x"));
  ASSERT_OK(mkdir(P("d").c_str(), 0755));
  for (std::string p : {P("f"), P("d")}) {
    EXPECT_EQ(GetInodeFlags(p), 0) << p;
    EXPECT_EQ(SetInodeFlags(p, FS_IMMUTABLE_FL), 0) << p;
    EXPECT_EQ(GetInodeFlags(p), FS_IMMUTABLE_FL) << p;
    EXPECT_EQ(SetInodeFlags(p, FS_APPEND_FL), 0) << p;
    EXPECT_EQ(GetInodeFlags(p), FS_APPEND_FL) << p;
    EXPECT_EQ(SetInodeFlags(p, FS_APPEND_FL | FS_IMMUTABLE_FL), 0) << p;
    EXPECT_EQ(GetInodeFlags(p), FS_APPEND_FL | FS_IMMUTABLE_FL) << p;
    // Flags slicefs does not keep are refused, as tmpfs does.
    EXPECT_EQ(SetInodeFlags(p, FS_NOATIME_FL), EOPNOTSUPP) << p;
    EXPECT_EQ(GetInodeFlags(p), FS_APPEND_FL | FS_IMMUTABLE_FL) << p;
    EXPECT_EQ(SetInodeFlags(p, 0), 0) << p;
    EXPECT_EQ(GetInodeFlags(p), 0) << p;
  }
  // e2fsprogs: chattr sets, lsattr shows, on a file and on a directory.
  auto [rc, out] = Sh("chattr +i " + P("f") + " && chattr +a " + P("d") + " && lsattr -d " + P("f") + " " + P("d"));
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("----i"), std::string::npos) << out;
  EXPECT_NE(out.find("-----a"), std::string::npos) << out;
  auto [rc2, out2] = Sh("chattr -i " + P("f") + " && chattr -a " + P("d") + " && lsattr -d " + P("f") + " " + P("d"));
  ASSERT_EQ(rc2, 0) << out2;
  EXPECT_EQ(out2.find('i'), out2.find(P("f")) + P("f").find('i')) << out2;  // no flag letters before the names
  EXPECT_EQ(GetInodeFlags(P("f")), 0);
  EXPECT_EQ(GetInodeFlags(P("d")), 0);
  // chattr of an unsupported flag fails loudly and changes nothing.
  EXPECT_NE(Sh("chattr +A " + P("f")).first, 0);
  EXPECT_EQ(GetInodeFlags(P("f")), 0);
}

TEST_F(InodeFlagsTest, OnlyRootChangesFlags) {
  std::string f = P("f");
  ASSERT_TRUE(WriteFile(f, "x"));
  ASSERT_OK(chown(f.c_str(), kUser, kGroup));
  // The owner, not root: EPERM (no CAP_LINUX_IMMUTABLE); reading is fine.
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return SetInodeFlags(f, FS_IMMUTABLE_FL); }), EPERM);
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return SetInodeFlags(f, FS_APPEND_FL); }), EPERM);
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return static_cast<int>(GetInodeFlags(f)); }), 0);
  ASSERT_EQ(SetInodeFlags(f, FS_IMMUTABLE_FL), 0);
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return SetInodeFlags(f, 0); }), EPERM);
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return static_cast<int>(GetInodeFlags(f)); }), FS_IMMUTABLE_FL);
  EXPECT_EQ(GetInodeFlags(f), FS_IMMUTABLE_FL);
  // setpriv-run chattr as the owner fails too.
  auto [rc, out] = Sh("setpriv --reuid=65534 --regid=65534 --clear-groups chattr -i " + f);
  EXPECT_NE(rc, 0) << out;
  EXPECT_EQ(GetInodeFlags(f), FS_IMMUTABLE_FL);
}

TEST_F(InodeFlagsTest, ImmutableFileRefusesChanges) {
  std::string f = P("f");
  ASSERT_TRUE(WriteFile(f, "original"));
  ASSERT_OK(setxattr(f.c_str(), "user.k", "v", 1, 0));
  ASSERT_EQ(SetInodeFlags(f, FS_IMMUTABLE_FL), 0);
  EXPECT_ERRNO(open(f.c_str(), O_WRONLY), EPERM);
  EXPECT_ERRNO(open(f.c_str(), O_RDWR), EPERM);
  EXPECT_ERRNO(open(f.c_str(), O_WRONLY | O_APPEND), EPERM);
  EXPECT_ERRNO(open(f.c_str(), O_RDONLY | O_TRUNC), EPERM);
  EXPECT_ERRNO(open(f.c_str(), O_WRONLY | O_CREAT, 0644), EPERM);
  EXPECT_ERRNO(truncate(f.c_str(), 0), EPERM);
  EXPECT_ERRNO(unlink(f.c_str()), EPERM);
  EXPECT_ERRNO(rename(f.c_str(), P("g").c_str()), EPERM);
  ASSERT_TRUE(WriteFile(P("other"), "o"));
  EXPECT_ERRNO(rename(P("other").c_str(), f.c_str()), EPERM);  // as the replaced target
  EXPECT_ERRNO(link(f.c_str(), P("l").c_str()), EPERM);
  EXPECT_ERRNO(chmod(f.c_str(), 0600), EPERM);
  EXPECT_ERRNO(chown(f.c_str(), 1, 1), EPERM);
  EXPECT_ERRNO(utimes(f.c_str(), nullptr), EPERM);
  struct timeval tv[2] = {{1, 0}, {2, 0}};
  EXPECT_ERRNO(utimes(f.c_str(), tv), EPERM);
  EXPECT_ERRNO(setxattr(f.c_str(), "user.k", "w", 1, 0), EPERM);
  EXPECT_ERRNO(removexattr(f.c_str(), "user.k"), EPERM);
  // (access(W_OK) is answered by the kernel under default_permissions, which
  // does not know the flag: it says 0 where ext4 says EPERM.)
  // Reading works; nothing changed.
  EXPECT_EQ(ReadFile(f), "original");
  char v[4] = {};
  EXPECT_EQ(getxattr(f.c_str(), "user.k", v, sizeof v), 1);
  EXPECT_EQ(Stat(f).st_uid, 0u);
  EXPECT_EQ(Stat(f).st_nlink, 1u);
  // A handle opened before the flag was set cannot write either.
  std::string h = P("h");
  ASSERT_TRUE(WriteFile(h, "before"));
  int fd = open(h.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(SetInodeFlags(h, FS_IMMUTABLE_FL), 0);
  EXPECT_ERRNO(ftruncate(fd, 0), EPERM);
  EXPECT_ERRNO(fallocate(fd, 0, 0, 4096), EPERM);
  ssize_t w = pwrite(fd, "zz", 2, 0);
  int fsyncRc = w == 2 ? fsync(fd) : -1;
  EXPECT_TRUE(w < 0 || fsyncRc < 0) << "a write to an immutable file must fail (at write or at fsync)";
  close(fd);
  EXPECT_EQ(ReadFile(h), "before");
  // Clearing the flag makes it all possible again.
  ASSERT_EQ(SetInodeFlags(f, 0), 0);
  EXPECT_TRUE(WriteFile(f, "changed"));
  EXPECT_OK(unlink(f.c_str()));
}

TEST_F(InodeFlagsTest, ImmutableDirectoryRefusesEntryChanges) {
  std::string d = P("d");
  ASSERT_OK(mkdir(d.c_str(), 0777));
  ASSERT_OK(chmod(d.c_str(), 0777));  // the kernel checks modes first (default_permissions)
  ASSERT_TRUE(WriteFile(d + "/in", "x"));
  ASSERT_OK(mkdir((d + "/sub").c_str(), 0755));
  ASSERT_EQ(SetInodeFlags(d, FS_IMMUTABLE_FL), 0);
  EXPECT_ERRNO(open((d + "/new").c_str(), O_WRONLY | O_CREAT, 0644), EPERM);
  EXPECT_ERRNO(mkdir((d + "/nd").c_str(), 0755), EPERM);
  EXPECT_ERRNO(symlink("x", (d + "/s").c_str()), EPERM);
  EXPECT_ERRNO(link((d + "/in").c_str(), (d + "/in2").c_str()), EPERM);
  EXPECT_ERRNO(unlink((d + "/in").c_str()), EPERM);
  EXPECT_ERRNO(rmdir((d + "/sub").c_str()), EPERM);
  EXPECT_ERRNO(rename((d + "/in").c_str(), P("out").c_str()), EPERM);
  ASSERT_TRUE(WriteFile(P("x"), "x"));
  EXPECT_ERRNO(rename(P("x").c_str(), (d + "/x").c_str()), EPERM);
  EXPECT_ERRNO(rmdir(d.c_str()), EPERM);  // Linux's may_delete refuses before looking inside
  EXPECT_ERRNO(rename(d.c_str(), P("d2").c_str()), EPERM);
  // Files inside may still be written (the flag is not inherited).
  EXPECT_TRUE(WriteFile(d + "/in", "y"));
  EXPECT_EQ(ReadFile(d + "/in"), "y");
  // Non-root users get EPERM too, before any mode check.
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return Err(mkdir((d + "/u").c_str(), 0755)); }), EPERM);
}

TEST_F(InodeFlagsTest, AppendOnlyFileAcceptsOnlyAppends) {
  std::string f = P("f");
  ASSERT_TRUE(WriteFile(f, "head"));
  ASSERT_EQ(SetInodeFlags(f, FS_APPEND_FL), 0);
  EXPECT_ERRNO(open(f.c_str(), O_WRONLY), EPERM);
  EXPECT_ERRNO(open(f.c_str(), O_RDWR), EPERM);
  EXPECT_ERRNO(open(f.c_str(), O_WRONLY | O_APPEND | O_TRUNC), EPERM);
  EXPECT_ERRNO(truncate(f.c_str(), 1), EPERM);
  EXPECT_ERRNO(unlink(f.c_str()), EPERM);
  EXPECT_ERRNO(rename(f.c_str(), P("g").c_str()), EPERM);
  EXPECT_ERRNO(link(f.c_str(), P("l").c_str()), EPERM);
  EXPECT_ERRNO(chmod(f.c_str(), 0600), EPERM);
  EXPECT_ERRNO(setxattr(f.c_str(), "user.k", "w", 1, 0), EPERM);
  EXPECT_OK(utimes(f.c_str(), nullptr));  // touch is allowed on append-only
  int fd = open(f.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  EXPECT_EQ(write(fd, "+tail", 5), 5);
  EXPECT_EQ(pwrite(fd, "!!", 2, 0), 2);  // O_APPEND: Linux appends regardless of the offset
  EXPECT_ERRNO(ftruncate(fd, 0), EPERM);
  EXPECT_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2), EPERM);
  EXPECT_OK(close(fd));
  EXPECT_EQ(ReadFile(f), "head+tail!!");
  // A descriptor that drops O_APPEND (the kernel allows it: it does not know
  // the flag) still appends: slicefs keeps the open's O_APPEND.
  fd = open(f.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_OK(fcntl(fd, F_SETFL, 0));
  EXPECT_EQ(pwrite(fd, "XX", 2, 0), 2);
  close(fd);
  EXPECT_EQ(ReadFile(f), "head+tail!!XX");
  // A descriptor opened for writing before chattr +a cannot write below EOF
  // any more: the commit fails (at the write or at fsync).
  std::string g = P("g");
  ASSERT_TRUE(WriteFile(g, "0123456789"));
  fd = open(g.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(SetInodeFlags(g, FS_APPEND_FL), 0);
  ssize_t w = pwrite(fd, "XX", 2, 0);
  int fsyncRc = w == 2 ? fsync(fd) : -1;
  EXPECT_TRUE(w < 0 || fsyncRc < 0) << "a write below EOF of an append-only file must fail";
  close(fd);
  EXPECT_EQ(ReadFile(g), "0123456789");
  EXPECT_EQ(ReadFile(f), "head+tail!!XX");
  int rfd = open(f.c_str(), O_RDONLY);
  EXPECT_GE(rfd, 0);
  if (rfd >= 0) close(rfd);
  // Append-only directory: entries may be added, not removed.
  std::string d = P("d");
  ASSERT_OK(mkdir(d.c_str(), 0755));
  ASSERT_EQ(SetInodeFlags(d, FS_APPEND_FL), 0);
  EXPECT_TRUE(WriteFile(d + "/a", "1"));
  EXPECT_OK(mkdir((d + "/sub").c_str(), 0755));
  EXPECT_ERRNO(unlink((d + "/a").c_str()), EPERM);
  EXPECT_ERRNO(rmdir((d + "/sub").c_str()), EPERM);
  EXPECT_ERRNO(rename((d + "/a").c_str(), (d + "/b").c_str()), EPERM);
}

}  // namespace
}  // namespace slicefs::testing
