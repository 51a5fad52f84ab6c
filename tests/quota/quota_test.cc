// Directory quotas and tree summaries on real mounts: two mount processes
// of one volume (sqlite3, and redis as the server engine) both get EDQUOT
// from write(2), open(O_CREAT) and mkdir(2) past a quota set by
// `slicefs quota set`; raising it lets writes continue; df on the quota
// directory shows the quota; `quota check --repair` fixes a usage figure
// corrupted in the engine; `slicefs summary` equals a walk of the tree.
#include <sys/statvfs.h>

#include <cstdio>
#include <sstream>

#include "meta/dir_stats.h"
#include "meta/keys.h"
#include "multi/multi_env.h"

namespace slicefs::testing {
namespace {

class QuotaMounts : public MultiMountTest {
 protected:
  // Runs `slicefs ARGS...`; returns the exit code, output in *out.
  int Cli(const std::vector<std::string>& args, std::string* out = nullptr) {
    std::string o;
    int rc = RunSlicefs(args, &o);
    if (out) *out = o;
    return rc;
  }
  static uint64_t DfBytes(const std::string& p) {
    struct statvfs s{};
    if (statvfs(p.c_str(), &s) != 0) return 0;
    return static_cast<uint64_t>(s.f_blocks) * s.f_frsize;
  }
  static uint64_t DfUsedBytes(const std::string& p) {
    struct statvfs s{};
    if (statvfs(p.c_str(), &s) != 0) return 0;
    return static_cast<uint64_t>(s.f_blocks - s.f_bfree) * s.f_frsize;
  }
  static uint64_t DfInodes(const std::string& p) {
    struct statvfs s{};
    if (statvfs(p.c_str(), &s) != 0) return 0;
    return s.f_files;
  }
  static uint64_t DfUsedInodes(const std::string& p) {
    struct statvfs s{};
    if (statvfs(p.c_str(), &s) != 0) return 0;
    return s.f_files - s.f_ffree;
  }
  // Writes `chunk`-byte blocks with write(2) until it fails; returns the
  // bytes written and the errno of the failure in *err (0 if `max` was
  // reached first).
  static uint64_t WriteUntilFull(const std::string& path, size_t chunk, uint64_t max, int* err) {
    *err = 0;
    ScopedFd fd(open(path.c_str(), O_CREAT | O_WRONLY | O_APPEND, 0644));
    if (fd.get() < 0) {
      *err = errno;
      return 0;
    }
    std::string block(chunk, 'q');
    uint64_t total = 0;
    while (total < max) {
      ssize_t n = write(fd.get(), block.data(), block.size());
      if (n < 0) {
        *err = errno;
        break;
      }
      total += static_cast<uint64_t>(n);
    }
    EXPECT_EQ(fd.Close(), 0) << "close of " << path << ": " << std::strerror(errno);
    return total;
  }
  // Rewrites the usage of the quota of dir inode `ino` in the engine.
  void CorruptQuota(Ino ino, int64_t space, int64_t inodes) {
    auto kv = OpenKvStore(url_);
    ASSERT_TRUE(kv) << kv.error().ToString();
    Status st = (*kv)->txn([&](KvTxn& tx) { return PutQuotaUsage(tx, ino, space, inodes); });
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
};

constexpr uint64_t kMiB = 1 << 20;

TEST_P(QuotaMounts, BothMountsGetEdquotPastTheLimitsUntilRaised) {
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  ASSERT_EQ(mkdir((*a / "qi").c_str(), 0777), 0);
  ASSERT_EQ(mkdir((*a / "qs").c_str(), 0777), 0);
  ASSERT_EQ(mkdir((*a / "qs/sub").c_str(), 0777), 0);
  // quota set counts the usage from the directory stats in the engine:
  // changes a mount has not flushed yet (at most one flush interval, 1 s)
  // are not in it (docs/architecture.md); let A flush first.
  std::this_thread::sleep_for(1500ms);
  std::string out;
  ASSERT_EQ(Cli({"quota", "set", url_, "--path", "/qi", "--inodes", "6"}, &out), 0) << out;
  ASSERT_EQ(Cli({"quota", "set", url_, "--path", "/qs", "--capacity", "1M"}, &out), 0) << out;
  // Each mount rereads quotas every flush interval (1 s): df shows them.
  for (TestMount* m : {a, b}) {
    EXPECT_TRUE(WaitFor([&] { return DfInodes(*m / "qi") == 6 && DfBytes(*m / "qs") == kMiB; }, 5s))
        << m->path() << ": df shows " << DfInodes(*m / "qi") << " inodes, " << DfBytes(*m / "qs") << " bytes";
  }
  EXPECT_GT(DfBytes(a->path()), 100 * kMiB) << "df of the mount root is the volume's, not a quota";
  EXPECT_EQ(DfBytes(*a / "qs/sub"), kMiB) << "df of a directory below the quota";

  // Inode quota: 1 subdirectory + 5 files on A, then EDQUOT for both calls.
  ASSERT_EQ(mkdir((*a / "qi/d").c_str(), 0777), 0);
  int made = 0;
  for (; made < 10; made++) {
    int fd = open((*a / ("qi/f" + std::to_string(made))).c_str(), O_CREAT | O_WRONLY, 0644);
    if (fd < 0) {
      EXPECT_EQ(errno, EDQUOT) << "open(O_CREAT) past the inode quota: " << std::strerror(errno);
      break;
    }
    close(fd);
  }
  EXPECT_EQ(made, 5);
  EXPECT_ERRNO(mkdir((*a / "qi/d2").c_str(), 0777), EDQUOT);
  EXPECT_ERRNO(mkdir((*a / "qi/d/d3").c_str(), 0777), EDQUOT);
  EXPECT_ERRNO(symlink("x", (*a / "qi/s").c_str()), EDQUOT);
  // B learns A's usage within two flush intervals.
  EXPECT_TRUE(WaitFor([&] { return DfUsedInodes(*b / "qi") == 6; }, 5s)) << DfUsedInodes(*b / "qi");
  EXPECT_ERRNO(open((*b / "qi/from-b").c_str(), O_CREAT | O_WRONLY, 0644), EDQUOT);
  EXPECT_ERRNO(mkdir((*b / "qi/d/from-b").c_str(), 0777), EDQUOT);

  // Space quota: write(2) on A fails EDQUOT at exactly 1 MiB (this mount's
  // own buffered data counts); close commits what was accepted.
  int err = 0;
  uint64_t wrote = WriteUntilFull(*a / "qs/sub/big", 64 << 10, 8 * kMiB, &err);
  EXPECT_EQ(err, EDQUOT) << std::strerror(err);
  EXPECT_EQ(wrote, kMiB);
  EXPECT_EQ(Stat(*a / "qs/sub/big").st_size, static_cast<off_t>(kMiB));
  EXPECT_TRUE(WaitFor([&] { return DfUsedBytes(*b / "qs") == kMiB; }, 5s)) << DfUsedBytes(*b / "qs");
  wrote = WriteUntilFull(*b / "qs/from-b", 4096, kMiB, &err);
  EXPECT_EQ(err, EDQUOT) << std::strerror(err);
  EXPECT_EQ(wrote, 0u);
  EXPECT_ERRNO(truncate((*b / "qs/from-b").c_str(), 1 << 20), EDQUOT);
  // A directory cannot move between quota trees (EXDEV: mv copies instead).
  EXPECT_ERRNO(rename((*a / "qs/sub").c_str(), (*a / "qi/sub").c_str()), EXDEV);
  EXPECT_ERRNO(rename((*a / "qs/sub").c_str(), (*a / "sub").c_str()), EXDEV);

  // Raising the quotas lets both mounts continue.
  ASSERT_EQ(Cli({"quota", "set", url_, "--path", "/qi", "--inodes", "20"}, &out), 0) << out;
  ASSERT_EQ(Cli({"quota", "set", url_, "--path", "/qs", "--capacity", "3M"}, &out), 0) << out;
  for (TestMount* m : {a, b}) {
    EXPECT_TRUE(WaitFor([&] { return DfInodes(*m / "qi") == 20 && DfBytes(*m / "qs") == 3 * kMiB; }, 5s))
        << m->path();
  }
  ASSERT_EQ(mkdir((*b / "qi/d/from-b").c_str(), 0777), 0) << std::strerror(errno);
  int fd = open((*a / "qi/more").c_str(), O_CREAT | O_WRONLY, 0644);
  EXPECT_GE(fd, 0) << std::strerror(errno);
  if (fd >= 0) close(fd);
  wrote = WriteUntilFull(*b / "qs/from-b", 64 << 10, kMiB, &err);
  EXPECT_EQ(err, 0) << std::strerror(err);
  EXPECT_EQ(wrote, kMiB);
  EXPECT_EQ(ReadFile(*a / "qs/from-b").size(), kMiB);

  // quota get / list show the figures (after both mounts flushed).
  EXPECT_TRUE(WaitFor([&] {
    Cli({"quota", "get", url_, "--path", "/qs"}, &out);
    return out.find("2 MiB") != std::string::npos;
  }, 5s)) << out;
  ASSERT_EQ(Cli({"quota", "list", url_}, &out), 0) << out;
  EXPECT_NE(out.find("/qi"), std::string::npos) << out;
  EXPECT_NE(out.find("/qs"), std::string::npos) << out;

  // quota check: right now; a figure corrupted in the engine is found and
  // --repair fixes it.
  ASSERT_EQ(Cli({"quota", "check", url_}, &out), 0) << out;
  const Ino qs = Stat(*a / "qs").st_ino;
  CorruptQuota(qs, 999, 77);
  EXPECT_NE(Cli({"quota", "check", url_, "--path", "/qs"}, &out), 0) << out;
  EXPECT_NE(out.find("recorded space 999 inodes 77"), std::string::npos) << out;
  ASSERT_EQ(Cli({"quota", "check", url_, "--path", "/qs", "--repair"}, &out), 0) << out;
  EXPECT_NE(out.find("repaired"), std::string::npos) << out;
  ASSERT_EQ(Cli({"quota", "check", url_, "--path", "/qs", "--strict"}, &out), 0) << out;
  // The mounts enforce the repaired figure: 2 MiB used of 3 MiB.
  EXPECT_TRUE(WaitFor([&] { return DfUsedBytes(*b / "qs") == 2 * kMiB; }, 5s)) << DfUsedBytes(*b / "qs");
  wrote = WriteUntilFull(*b / "qs/last", 64 << 10, 4 * kMiB, &err);
  EXPECT_EQ(err, EDQUOT);
  EXPECT_EQ(wrote, kMiB);

  // delete: no more limit.
  ASSERT_EQ(Cli({"quota", "delete", url_, "--path", "/qi"}, &out), 0) << out;
  EXPECT_NE(Cli({"quota", "get", url_, "--path", "/qi"}, &out), 0) << out;
  EXPECT_TRUE(WaitFor([&] { return DfInodes(*a / "qi") > 1000; }, 5s));
}

// The volume limits of format --capacity/--inodes keep working beside
// quotas: ENOSPC from write(2) (checked before buffering, like quotas) and
// from creates.
TEST_P(QuotaMounts, VolumeLimitsStillGiveEnospc) {
  VolumeSpec spec;
  spec.metaUrl = url_;
  spec.formatArgs = {"--trash-days", "0", "--block-size", "1M", "--capacity", "2M", "--inodes", "6"};
  spec.mountArgs = ShortCaches();
  TestMount m(spec);
  ASSERT_OK(m.Mount());
  ASSERT_EQ(mkdir((m / "q").c_str(), 0777), 0);
  std::string out;
  ASSERT_EQ(Cli({"quota", "set", url_, "--path", "/q", "--capacity", "1G"}, &out), 0) << out;
  int err = 0;
  uint64_t wrote = WriteUntilFull(m / "q/big", 64 << 10, 8 * kMiB, &err);
  EXPECT_EQ(err, ENOSPC) << std::strerror(err);
  EXPECT_EQ(wrote, 2 * kMiB);
  int made = 0;
  for (; made < 10; made++) {
    int fd = open((m / ("f" + std::to_string(made))).c_str(), O_CREAT | O_WRONLY, 0644);
    if (fd < 0) {
      EXPECT_EQ(errno, ENOSPC) << std::strerror(errno);
      break;
    }
    close(fd);
  }
  EXPECT_EQ(made, 4);  // q and q/big use 2 of the 6 inodes
  EXPECT_OK(m.Unmount());
}

TEST_P(QuotaMounts, BadQuotaArgumentsFailWithOneLine) {
  MOUNT_OR_RETURN(a);
  ASSERT_EQ(mkdir((*a / "d").c_str(), 0777), 0);
  ASSERT_TRUE(WriteFile(*a / "f", "x"));
  std::string out;
  EXPECT_NE(Cli({"quota", "set", url_, "--path", "/d"}, &out), 0);
  EXPECT_NE(out.find("--capacity"), std::string::npos) << out;
  EXPECT_NE(Cli({"quota", "set", url_, "--path", "/f", "--inodes", "3"}, &out), 0);
  EXPECT_NE(out.find("director"), std::string::npos) << out;
  EXPECT_NE(Cli({"quota", "set", url_, "--path", "/nope", "--inodes", "3"}, &out), 0);
  EXPECT_NE(out.find("/nope"), std::string::npos) << out;
  EXPECT_NE(Cli({"quota", "set", url_, "--path", "d", "--inodes", "3"}, &out), 0);
  EXPECT_NE(Cli({"quota", "set", url_, "--path", "/d", "--capacity", "lots"}, &out), 0);
  EXPECT_NE(Cli({"quota", "get", url_, "--path", "/d"}, &out), 0);
  EXPECT_NE(out.find("no quota"), std::string::npos) << out;
}

// Totals of a walk of the tree under `top` (not following symlinks).
struct Walk {
  uint64_t size = 0, length = 0, dirs = 1, files = 0;
};
Walk WalkTree(const std::string& top) {
  Walk w;
  for (auto it = std::filesystem::recursive_directory_iterator(top); it != std::filesystem::recursive_directory_iterator();
       ++it) {
    struct stat st{};
    if (lstat(it->path().c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      w.dirs++;
      continue;
    }
    w.files++;
    w.length += static_cast<uint64_t>(st.st_size);
    if (S_ISREG(st.st_mode)) w.size += (static_cast<uint64_t>(st.st_size) + 4095) / 4096 * 4096;
  }
  return w;
}

// The csv rows of `slicefs summary PATH --csv ...`: path -> walk-like totals.
std::map<std::string, Walk> SummaryRows(const std::string& out) {
  std::map<std::string, Walk> rows;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
    if (f.size() != 5 || f[0] == "path") continue;
    rows[f[0]] = Walk{std::stoull(f[1]), std::stoull(f[2]), std::stoull(f[3]), std::stoull(f[4])};
  }
  return rows;
}

TEST_P(QuotaMounts, SummaryEqualsAWalkOfTheTree) {
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  const std::string top = *a / "top";
  ASSERT_EQ(mkdir(top.c_str(), 0755), 0);
  uint32_t seed = 7;
  for (int d = 0; d < 6; d++) {
    std::string dir = top + "/d" + std::to_string(d);
    if (d >= 3) dir = top + "/d" + std::to_string(d - 3) + "/e" + std::to_string(d);
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0) << dir;
    for (int f = 0; f < 4 + d; f++) {
      seed = seed * 1103515245 + 12345;
      ASSERT_TRUE(WriteFile(dir + "/f" + std::to_string(f), Pattern(seed % 20000, seed)));
    }
  }
  ASSERT_EQ(symlink("some/target", (top + "/link").c_str()), 0);
  ASSERT_EQ(link((top + "/d0/f0").c_str(), (top + "/d1/hard").c_str()), 0);
  ASSERT_EQ(truncate((top + "/d1/f1").c_str(), 123456), 0);
  ASSERT_EQ(unlink((top + "/d2/f2").c_str()), 0);
  ASSERT_EQ(rename((top + "/d0/f3").c_str(), (top + "/d2/moved").c_str()), 0);
  const Walk want = WalkTree(top);
  std::string out;
  // On the mount that made the changes: exact at once.
  ASSERT_EQ(Cli({"summary", top, "--csv", "--depth", "1", "--entries", "0"}, &out), 0) << out;
  auto rows = SummaryRows(out);
  ASSERT_TRUE(rows.contains(top)) << out;
  EXPECT_EQ(rows[top].files, want.files) << out;
  EXPECT_EQ(rows[top].dirs, want.dirs) << out;
  EXPECT_EQ(rows[top].length, want.length) << out;
  EXPECT_EQ(rows[top].size, want.size) << out;
  for (int d = 0; d < 3; d++) {
    const std::string sub = top + "/d" + std::to_string(d);
    const Walk w = WalkTree(sub);
    ASSERT_TRUE(rows.contains(sub)) << out;
    EXPECT_EQ(rows[sub].files, w.files) << sub;
    EXPECT_EQ(rows[sub].length, w.length) << sub;
    EXPECT_EQ(rows[sub].dirs, w.dirs) << sub;
  }
  // On the other mount: the same once A has flushed its stats.
  const std::string topB = *b / "top";
  EXPECT_TRUE(WaitFor([&] {
    if (Cli({"summary", topB, "--csv", "--depth", "0"}, &out) != 0) return false;
    auto r = SummaryRows(out);
    return r.contains(topB) && r[topB].files == want.files && r[topB].length == want.length &&
           r[topB].dirs == want.dirs && r[topB].size == want.size;
  }, 5s)) << out;
  // The table form and bad input.
  ASSERT_EQ(Cli({"summary", top}, &out), 0) << out;
  EXPECT_NE(out.find("PATH"), std::string::npos) << out;
  EXPECT_NE(Cli({"summary", "/proc"}, &out), 0) << out;
}

INSTANTIATE_TEST_SUITE_P(Engines, QuotaMounts, ::testing::Values("sqlite3", "redis"), EngineParamName);

}  // namespace
}  // namespace slicefs::testing
