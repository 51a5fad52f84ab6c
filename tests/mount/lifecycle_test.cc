// Mount lifecycle: persistence across remounts, mount errors, umount, the
// session registered while mounted, `slicefs info`. (Several mounts of one
// volume, read-only mounts included: tests/multi.)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <sstream>

#include "kv/kv.h"

#include "mount/mount_util.h"
#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

TEST(MountLifecycle, PersistenceAcrossRemount) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_TRUE(m.Mount().ok());
  uint64_t seed = TestSeed("MountLifecycle.PersistenceAcrossRemount");
  std::mt19937_64 rng(seed);
  ASSERT_EQ(mkdir((m / "tree").c_str(), 0755), 0);
  for (int d = 0; d < 5; d++) {
    std::string dir = m / ("tree/d" + std::to_string(d));
    ASSERT_EQ(mkdir(dir.c_str(), 0750 + d), 0);
    for (int f = 0; f < 8; f++) {
      size_t n = rng() % 5 == 0 ? (rng() % (6 << 20)) : rng() % 100000;
      ASSERT_TRUE(WriteFile(dir + "/f" + std::to_string(f), Pattern(n, static_cast<uint32_t>(rng()))));
    }
  }
  ASSERT_EQ(symlink("d0/f0", (m / "tree/link").c_str()), 0);
  std::map<std::string, std::string> before, after;
  TreeDigest(m / "tree", "", &before);
  ASSERT_TRUE(m.Unmount().ok());
  // The mountpoint is empty again while unmounted.
  struct stat st;
  EXPECT_NE(stat((m / "tree").c_str(), &st), 0);
  ASSERT_TRUE(m.Mount().ok());
  TreeDigest(m / "tree", "", &after);
  EXPECT_EQ(before.size(), 46u);
  EXPECT_EQ(before, after);
}

TEST(MountLifecycle, ErrorsAreOneLineAndNonZero) {
  REQUIRE_FUSE();
  TempDir tmp("slicefs-mnterr");
  std::string mnt = tmp / "mnt";
  ASSERT_EQ(mkdir(mnt.c_str(), 0755), 0);
  // Unformatted volume (an empty database).
  std::string out;
  ASSERT_TRUE(OpenKvStore("sqlite3://" + tmp.path() + "/empty.db").has_value());
  int rc = RunSlicefs({"mount", "-d", "sqlite3://" + tmp.path() + "/empty.db", mnt}, &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("not formatted"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  // Missing mountpoint.
  TestMount m;
  ASSERT_TRUE(m.Format().ok());
  rc = RunSlicefs({"mount", "-d", m.metaUrl(), tmp / "missing"}, &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("does not exist"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  // A mountpoint that is a file.
  ASSERT_TRUE(WriteFile(tmp / "file", "x"));
  rc = RunSlicefs({"mount", "-d", m.metaUrl(), tmp / "file"}, &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("not a directory"), std::string::npos) << out;
  // Busy: already mounted.
  ASSERT_TRUE(m.Mount().ok());
  rc = RunSlicefs({"mount", "-d", m.metaUrl(), m.path()}, &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("busy"), std::string::npos) << out;
  // Malformed URL.
  rc = RunSlicefs({"mount", "-d", "nosuch://x", mnt}, &out);
  EXPECT_NE(rc, 0);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  // Storage unreachable: a file bucket that is now a regular file.
  TestMount bad;
  ASSERT_TRUE(bad.Format().ok());
  std::string cmd = bad.bucket();
  RunCommand({"rm", "-rf", cmd});
  ASSERT_TRUE(WriteFile(cmd, "not a directory"));
  rc = RunSlicefs({"mount", "-d", bad.metaUrl(), bad.path()}, &out);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("storage"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  if (IsMounted(bad.path())) {
    ADD_FAILURE() << "mounted on unreachable storage";
    RunSlicefs({"umount", bad.path()});
  }
}

TEST(MountLifecycle, UmountCommandAndSession) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_TRUE(m.Mount().ok());
  std::string out;
  ASSERT_EQ(RunSlicefs({"status", m.metaUrl()}, &out), 0) << out;
  EXPECT_NE(out.find(m.path()), std::string::npos) << "session not listed:\n" << out;
  ASSERT_TRUE(WriteFile(m / "kept", "kept data"));
  int fd = open((m / "busy").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  // Busy mount: plain umount refuses.
  EXPECT_NE(RunSlicefs({"umount", m.path()}, &out), 0);
  close(fd);
  pid_t pid = m.pid();
  ASSERT_EQ(RunSlicefs({"umount", m.path()}, &out), 0) << out;
  EXPECT_FALSE(IsMounted(m.path()));
  EXPECT_NE(kill(pid, 0) == 0 && Stat("/proc/" + std::to_string(pid)).st_ino != 0 &&
                ReadFile("/proc/" + std::to_string(pid) + "/stat").find(") Z") == std::string::npos,
            true) << "mount process still running after umount";
  ASSERT_TRUE(m.Unmount().ok());  // bookkeeping only: already unmounted
  ASSERT_EQ(RunSlicefs({"status", m.metaUrl()}, &out), 0) << out;
  EXPECT_EQ(out.find(m.path()), std::string::npos) << "session left behind:\n" << out;
  EXPECT_NE(RunSlicefs({"umount", m.path()}, &out), 0);  // not mounted
  ASSERT_TRUE(m.Mount().ok());
  EXPECT_EQ(ReadFile(m / "kept"), "kept data");
}

TEST(MountLifecycle, SigtermFlushesAndUnmounts) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_TRUE(m.Mount().ok());
  std::string data = Pattern(3 << 20, 9);
  ASSERT_TRUE(WriteFile(m / "f", data));
  pid_t pid = m.pid();
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  for (int i = 0; i < 300 && IsMounted(m.path()); i++) usleep(20000);
  EXPECT_FALSE(IsMounted(m.path()));
  ASSERT_TRUE(m.Unmount().ok());  // waits for the process
  ASSERT_TRUE(m.Mount().ok());
  EXPECT_TRUE(ReadFile(m / "f") == data);
}

TEST(MountLifecycle, InfoShowsObjectKeysThatExist) {
  REQUIRE_FUSE();
  VolumeSpec spec;
  spec.formatArgs = {"--trash-days", "0", "--block-size", "1M"};
  TestMount m(spec);
  ASSERT_TRUE(m.Mount().ok());
  std::string data = Pattern((3 << 20) + 12345, 11);
  ASSERT_TRUE(WriteFile(m / "f", data));
  std::string out;
  ASSERT_EQ(RunSlicefs({"info", m / "f"}, &out), 0) << out;
  EXPECT_NE(out.find("inode: " + std::to_string(Stat(m / "f").st_ino)), std::string::npos) << out;
  EXPECT_NE(out.find("size: " + std::to_string(data.size())), std::string::npos) << out;
  // Every key printed exists in the bucket with the size its name gives.
  std::istringstream ss(out);
  std::string tok;
  int keys = 0;
  uint64_t bytes = 0;
  while (ss >> tok) {
    if (tok.find("/chunks/") == std::string::npos) continue;
    keys++;
    struct stat st;
    std::string file = m.bucket() + "/" + tok;
    ASSERT_EQ(stat(file.c_str(), &st), 0) << "object " << tok << " not in bucket " << m.bucket();
    uint64_t named = std::stoull(tok.substr(tok.rfind('_') + 1));
    EXPECT_EQ(static_cast<uint64_t>(st.st_size), named) << tok;
    bytes += named;
  }
  EXPECT_EQ(keys, 4) << out;  // 3 full 1 MiB blocks + a short one
  EXPECT_EQ(bytes, data.size());
  // -r summary on a directory.
  ASSERT_EQ(mkdir((m / "d").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((m / "d/e").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(m / "d/x", "12345"));
  ASSERT_TRUE(WriteFile(m / "d/e/y", "123"));
  ASSERT_EQ(RunSlicefs({"info", "-r", m / "d"}, &out), 0) << out;
  EXPECT_NE(out.find("files: 2"), std::string::npos) << out;
  EXPECT_NE(out.find("dirs: 2"), std::string::npos) << out;
  EXPECT_NE(out.find("bytes: 8"), std::string::npos) << out;
  // A sparse file of 300 chunks: the table comes in pages (256 chunks per
  // reply) and ends with the last chunk's one block.
  {
    const off_t last = off_t(299) * (64 << 20) + 5;
    int fd = open((m / "sparse").c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(pwrite(fd, "z", 1, last), 1);
    ASSERT_EQ(close(fd), 0);
    ASSERT_EQ(RunSlicefs({"info", m / "sparse"}, &out), 0) << out;
    EXPECT_NE(out.find("size: " + std::to_string(last + 1)), std::string::npos) << out;
    std::istringstream lines(out);
    std::string line, lastRow;
    while (std::getline(lines, line)) {
      if (line.find("/chunks/") != std::string::npos) lastRow = line;
    }
    std::istringstream row(lastRow);
    unsigned chunk = 0;
    row >> chunk;
    EXPECT_EQ(chunk, 299u) << out;
    EXPECT_TRUE(lastRow.ends_with("_1")) << lastRow;
  }
  // Through the mount with the caller's credentials: a user who cannot
  // search root's 0700 directory cannot look inside it.
  ASSERT_EQ(chmod(m.path().c_str(), 0755), 0);
  ASSERT_EQ(mkdir((m / "private").c_str(), 0700), 0);
  ASSERT_TRUE(WriteFile(m / "private/f", "secret"));
  ASSERT_EQ(RunCommand({"setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", SlicefsBinary(), "info",
                        m / "private/f"},
                       &out),
            1)
      << out;
  EXPECT_NE(out.find("ermission denied"), std::string::npos) << out;
  ASSERT_EQ(RunCommand({"setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", SlicefsBinary(), "info",
                        m / "d/x"},
                       &out),
            0)
      << out;
  // Outside a mount: one line, non-zero.
  EXPECT_NE(RunSlicefs({"info", "/tmp"}, &out), 0);
  EXPECT_NE(out.find("not inside a slicefs mount"), std::string::npos) << out;
}

}  // namespace
}  // namespace slicefs::testing

namespace slicefs::testing {
namespace {

// Regular files under dir, recursively.
size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) n++;
  }
  return n;
}

// A volume on `file` storage gets no disk cache unless --cache-size is given:
// a cold read leaves the cache directory without blocks by default and fills
// it when asked to, and the data reads back exactly either way.
TEST(MountLifecycle, FileStorageDiskCacheOnlyWhenAsked) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_TRUE(m.Mount().ok());
  const std::string data = Pattern(9 << 20, 7);
  ASSERT_TRUE(WriteFile(m / "f", data));
  ASSERT_TRUE(m.Unmount().ok());
  const std::string cache = m.dir() + "/cache";
  std::filesystem::remove_all(cache);
  ASSERT_TRUE(m.Mount().ok());
  EXPECT_EQ(ReadFile(m / "f"), data);
  EXPECT_EQ(CountFiles(cache), 0u) << "blocks of a file volume were cached without --cache-size";
  ASSERT_TRUE(m.Unmount().ok());
  std::filesystem::remove_all(cache);
  ASSERT_TRUE(m.Mount({"--cache-size", "1G"}).ok());
  EXPECT_EQ(ReadFile(m / "f"), data);
  EXPECT_GE(CountFiles(cache), 3u) << "--cache-size given, but the 3 blocks read were not cached";
  ASSERT_TRUE(m.Unmount().ok());
}

}  // namespace
}  // namespace slicefs::testing
