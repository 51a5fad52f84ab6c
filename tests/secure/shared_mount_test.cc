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

struct NewFile {
  uid_t owner;
  std::string name;
  mode_t mode;
  std::string data;
};

// Creates the files on a plain mount of `m`, then remounts it with `args`.
void PrepareAndRemount(TestMount& m, const std::vector<NewFile>& files, const std::vector<std::string>& args) {
  Status st = m.Mount();
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (const auto& f : files) ASSERT_EQ(CreateAs(f.owner, m / f.name, f.mode, f.data), 0) << f.name;
  ASSERT_TRUE(m.Unmount().ok());
  st = m.Mount(args);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

void ExpectOwner(const std::string& path, uid_t uid, gid_t gid) {
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0) << path;
  EXPECT_EQ(st.st_uid, uid) << path;
  EXPECT_EQ(st.st_gid, gid) << path;
}

const std::string kSquashIds = std::to_string(kSquash) + ":" + std::to_string(kSquash);

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
  ExpectOwner(m / "alice", kAlice, kAlice);
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
  PrepareAndRemount(m, {{kAlice, "alice-private", 0600, "alice's"}, {kAlice, "alice-public", 0644, "everyone's"}},
                    {"--root-squash", kSquashIds});
  if (HasFatalFailure()) return;
  EXPECT_NE(MountOptions(m.path()).find("default_permissions"), std::string::npos);
  EXPECT_EQ(ReadAs(0, m / "alice-private"), EACCES);
  EXPECT_EQ(ReadAs(0, m / "alice-public", "everyone's"), 0);
  EXPECT_EQ(ReadAs(kAlice, m / "alice-private", "alice's"), 0);  // others are not mapped
  // What squashed root creates belongs to the squash ids.
  ASSERT_EQ(CreateAs(0, m / "by-root", 0644, "x"), 0);
  ExpectOwner(m / "by-root", kSquash, kSquash);
  // Squashed root may not chown (only real root may).
  EXPECT_NE(chown((m / "alice-public").c_str(), 0, 0), 0);
  EXPECT_EQ(errno, EPERM);
}

TEST_F(SharedMount, AllSquashMakesEveryUserTheSquashUser) {
  TestMount m;
  PrepareAndRemount(m, {{kSquash, "squash-private", 0600, "squash's"}, {kAlice, "alice-private", 0600, "alice's"}},
                    {"--all-squash", kSquashIds});
  if (HasFatalFailure()) return;
  // Permissions are the squash user's, whoever asks (bob, root, alice).
  EXPECT_EQ(ReadAs(kBob, m / "squash-private", "squash's"), 0);
  EXPECT_EQ(ReadAs(0, m / "squash-private", "squash's"), 0);
  EXPECT_EQ(ReadAs(0, m / "alice-private"), EACCES);
  EXPECT_EQ(ReadAs(kAlice, m / "alice-private"), EACCES);
  ASSERT_EQ(CreateAs(kBob, m / "by-bob", 0600, "b"), 0);
  ExpectOwner(m / "by-bob", kSquash, kSquash);
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

// A user's own mount: without user_allow_other in /etc/fuse.conf (this
// machine's), it mounts privately after one warning, instead of failing.
TEST_F(SharedMount, UserMountWithoutUserAllowOtherWarnsAndStaysPrivate) {
  if (RunCommand({"grep", "-qx", "[[:space:]]*user_allow_other[[:space:]]*", "/etc/fuse.conf"}) == 0) GTEST_SKIP() << "/etc/fuse.conf has user_allow_other here; the warning path cannot run";
  // Containers often give /dev/fuse to root only: then no user can mount at
  // all on this machine (not something slicefs could change).
  if (RunAs(kAlice, kAlice, {}, [] { return access("/dev/fuse", R_OK | W_OK) == 0 ? 0 : errno; }) != 0) {
    std::fprintf(stderr, "*** SKIPPED: /dev/fuse is not usable by non-root users on this machine\n");
    GTEST_SKIP() << "/dev/fuse is not usable by non-root users on this machine";
  }
  TempDir d("slicefs-usermount");
  ASSERT_EQ(chown(d.path().c_str(), kAlice, kAlice), 0);
  ASSERT_EQ(chmod(d.path().c_str(), 0755), 0);
  const std::string url = "sqlite3://" + d.path() + "/meta.db", mnt = d / "mnt", out = d / "out";
  int rc = RunAs(kAlice, kAlice, {}, [&] {
    std::string o1, o2;
    if (mkdir(mnt.c_str(), 0755) != 0) return 1;
    if (RunSlicefs({"format", url, "uservol", "--storage", "file", "--bucket", d / "bucket"}, &o1) != 0) return 2;
    int r = RunSlicefs({"mount", "-d", url, mnt, "--cache-dir", d / "cache", "--no-metrics"}, &o2);
    WriteFile(out, o1 + o2);
    return r == 0 ? 0 : 3;
  });
  const std::string said = ReadFile(out);
  ASSERT_EQ(rc, 0) << said;
  EXPECT_NE(said.find("warning: this mount is private to its owner"), std::string::npos) << said;
  EXPECT_NE(said.find("user_allow_other"), std::string::npos) << said;
  const std::string info = MountOptions(mnt);
  EXPECT_NE(info.find(" " + mnt + " "), std::string::npos);
  EXPECT_EQ(info.find("allow_other"), std::string::npos) << info;
  EXPECT_EQ(RunAs(kAlice, kAlice, {}, [&] { return WriteFile(mnt + "/f", "x") ? 0 : errno; }), 0);
  EXPECT_EQ(ReadAs(kBob, mnt + "/f"), EACCES);
  std::string o;
  EXPECT_EQ(RunCommand({"fusermount3", "-u", mnt}, &o), 0) << o;
  for (int i = 0; i < 100 && IsMounted(mnt); i++) usleep(50000);
  EXPECT_FALSE(IsMounted(mnt));
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
