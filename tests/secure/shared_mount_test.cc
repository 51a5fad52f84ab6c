// Safe defaults for a shared mount (issue #14 item 3), through real mounts
// exercised by real users (forked children with setresuid):
// - mounted by root with no options, every user can use the volume and the
//   permission bits are enforced (0644 readable, 0600 EACCES);
// - --no-allow-other keeps it private;
// - --root-squash: root on the mount cannot read another user's 0600 file,
//   and what it creates belongs to the squash ids;
// - --all-squash: every user acts as the squash user;
// - --umask: bits removed from every new file and directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "support/mount.h"

namespace slicefs::testing {
namespace {

constexpr uid_t kAlice = 4101, kBob = 4102, kSquash = 4199;

class SharedMount : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!FuseAvailable(&why)) SKIP_OR_FAIL(why);
  }
  // Mounts `m` with extra args; fails the test when it does not mount.
  static void MountOrFail(TestMount& m, const std::vector<std::string>& args) {
    Status st = m.Mount(args);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
};

// 0 when `path` opens for reading and holds `want`, else the errno.
int ReadAs(uid_t uid, const std::string& path, const std::string& want = "") {
  return RunAs(uid, uid, {}, [&] {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return errno;
    char buf[64] = {};
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    if (n < 0) return errno;
    return std::string(buf, n) == want || want.empty() ? 0 : 255;
  });
}

// Creates `path` with `mode` as uid (umask 0) and writes `data`; 0 or errno.
int CreateAs(uid_t uid, const std::string& path, mode_t mode, const std::string& data) {
  return RunAs(uid, uid, {}, [&] {
    umask(0);
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, mode);
    if (fd < 0) return errno;
    int rc = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) ? 0 : errno;
    return ::close(fd) == 0 ? rc : errno;
  });
}

std::string MountOptions(const std::string& mnt) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(" " + mnt + " ") != std::string::npos) return line;
  }
  return "";
}

TEST_F(SharedMount, RootMountWithoutOptionsIsUsableByEveryUserWithPermissionChecks) {
  VolumeSpec spec;
  spec.allowOther = false;  // exactly `slicefs mount -d URL MNT` (plus log/cache dirs)
  TestMount m(spec);
  MountOrFail(m, {});
  const std::string info = MountOptions(m.path());
  EXPECT_NE(info.find("allow_other"), std::string::npos) << info;
  EXPECT_NE(info.find("default_permissions"), std::string::npos) << info;
  ASSERT_TRUE(WriteFile(m / "public", "hello"));
  ASSERT_TRUE(WriteFile(m / "secret", "hidden"));
  ASSERT_EQ(chmod((m / "public").c_str(), 0644), 0);
  ASSERT_EQ(chmod((m / "secret").c_str(), 0600), 0);
  EXPECT_EQ(ReadAs(kAlice, m / "public", "hello"), 0);
  EXPECT_EQ(ReadAs(kAlice, m / "secret"), EACCES);
  // A new volume's root is 0777: alice creates there, bob cannot read her 0600 file.
  ASSERT_EQ(CreateAs(kAlice, m / "alice", 0600, "mine"), 0);
  EXPECT_EQ(ReadAs(kAlice, m / "alice", "mine"), 0);
  EXPECT_EQ(ReadAs(kBob, m / "alice"), EACCES);
  struct stat st;
  ASSERT_EQ(stat((m / "alice").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kAlice);
}

TEST_F(SharedMount, NoAllowOtherKeepsTheMountPrivate) {
  VolumeSpec spec;
  spec.allowOther = false;
  TestMount m(spec);
  MountOrFail(m, {"--no-allow-other"});
  EXPECT_EQ(MountOptions(m.path()).find("allow_other"), std::string::npos);
  ASSERT_TRUE(WriteFile(m / "public", "hello"));
  ASSERT_EQ(chmod((m / "public").c_str(), 0644), 0);
  // The kernel refuses every other user before slicefs is asked.
  EXPECT_EQ(ReadAs(kAlice, m / "public"), EACCES);
  EXPECT_EQ(ReadAs(0, m / "public", "hello"), 0);
}

TEST_F(SharedMount, RootSquashStopsRootReadingAnotherUsersPrivateFile) {
  TestMount m;
  MountOrFail(m, {});
  ASSERT_EQ(CreateAs(kAlice, m / "alice-private", 0600, "alice's"), 0);
  ASSERT_EQ(CreateAs(kAlice, m / "alice-public", 0644, "everyone's"), 0);
  ASSERT_TRUE(m.Unmount().ok());
  MountOrFail(m, {"--root-squash", std::to_string(kSquash) + ":" + std::to_string(kSquash)});
  EXPECT_NE(MountOptions(m.path()).find("default_permissions"), std::string::npos);
  EXPECT_EQ(ReadAs(0, m / "alice-private"), EACCES);
  EXPECT_EQ(ReadAs(0, m / "alice-public", "everyone's"), 0);
  EXPECT_EQ(ReadAs(kAlice, m / "alice-private", "alice's"), 0);  // others are not mapped
  // What squashed root creates belongs to the squash ids.
  ASSERT_EQ(CreateAs(0, m / "by-root", 0644, "x"), 0);
  struct stat st;
  ASSERT_EQ(stat((m / "by-root").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kSquash);
  EXPECT_EQ(st.st_gid, kSquash);
  // Squashed root may not chown (only real root may).
  EXPECT_NE(chown((m / "alice-public").c_str(), 0, 0), 0);
  EXPECT_EQ(errno, EPERM);
}

TEST_F(SharedMount, AllSquashMakesEveryUserTheSquashUser) {
  TestMount m;
  MountOrFail(m, {});
  ASSERT_EQ(CreateAs(kSquash, m / "squash-private", 0600, "squash's"), 0);
  ASSERT_EQ(CreateAs(kAlice, m / "alice-private", 0600, "alice's"), 0);
  ASSERT_TRUE(m.Unmount().ok());
  MountOrFail(m, {"--all-squash", std::to_string(kSquash) + ":" + std::to_string(kSquash)});
  // Permissions are the squash user's, whoever asks (bob, root, alice).
  EXPECT_EQ(ReadAs(kBob, m / "squash-private", "squash's"), 0);
  EXPECT_EQ(ReadAs(0, m / "squash-private", "squash's"), 0);
  EXPECT_EQ(ReadAs(0, m / "alice-private"), EACCES);
  EXPECT_EQ(ReadAs(kAlice, m / "alice-private"), EACCES);
  ASSERT_EQ(CreateAs(kBob, m / "by-bob", 0600, "b"), 0);
  struct stat st;
  ASSERT_EQ(stat((m / "by-bob").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kSquash);
  EXPECT_EQ(st.st_gid, kSquash);
}

TEST_F(SharedMount, UmaskIsRemovedFromNewFilesAndDirectories) {
  TestMount m;
  MountOrFail(m, {"--umask", "027"});
  ASSERT_EQ(CreateAs(0, m / "f", 0666, "x"), 0);
  int rc = RunAs(0, 0, {}, [&] {
    umask(0);
    return mkdir((m / "d").c_str(), 0777) == 0 ? 0 : errno;
  });
  ASSERT_EQ(rc, 0);
  struct stat st;
  ASSERT_EQ(stat((m / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_EQ(stat((m / "d").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  // The caller's own umask still applies on top.
  rc = RunAs(0, 0, {}, [&] {
    umask(0070);
    int fd = ::open((m / "g").c_str(), O_CREAT | O_WRONLY, 0666);
    return fd < 0 ? errno : (::close(fd), 0);
  });
  ASSERT_EQ(rc, 0);
  ASSERT_EQ(stat((m / "g").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0606u & ~0027u);
}

TEST_F(SharedMount, BadAccessFlagsAreRefusedWithOneLine) {
  TestMount m;
  ASSERT_TRUE(m.Format().ok());
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{{{"--root-squash", "nobody"}, "--root-squash 'nobody' is not UID:GID"},
                                         {{"--root-squash", "0:0"}, "would not squash root"},
                                         {{"--all-squash", "1:"}, "--all-squash '1:' is not UID:GID"},
                                         {{"--umask", "999"}, "--umask '999' is not an octal mask"}}) {
    std::vector<std::string> args = {"mount", "-d", m.metaUrl(), m.path()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    std::string out;
    EXPECT_EQ(RunSlicefs(args, &out), 1) << out;
    EXPECT_NE(out.find(c.says), std::string::npos) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    EXPECT_FALSE(IsMounted(m.path()));
  }
}

}  // namespace
}  // namespace slicefs::testing
