// Automatic metadata backups through real mounts: two mounts of one volume
// with --backup-meta 2s write one backup per interval into {volume}/meta/;
// after the engine's database is deleted, `slicefs load --from-bucket`
// and a mount give back the same files. Read-only mounts do not back up.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "dump/dump_util.h"

namespace slicefs::testing {
namespace {

std::vector<std::string> Backups(const std::string& bucket, const std::string& vol) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(bucket + "/" + vol + "/meta", ec)) {
    std::string n = e.path().filename().string();
    if (n.starts_with("dump-") && n.ends_with(".json.gz")) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

int64_t TimeOf(const std::string& name) {  // dump-YYYY-MM-DD-HHMMSS.json.gz
  std::tm tm{};
  strptime(name.c_str() + 5, "%Y-%m-%d-%H%M%S", &tm);
  return static_cast<int64_t>(timegm(&tm));
}

TEST(MetaBackup, TwoMountsBackUpOncePerIntervalAndTheBucketAloneRestores) {
  REQUIRE_FUSE();
  VolumeSpec spec;
  spec.mountArgs = {"--backup-meta", "2s"};
  TestMount a(spec);
  ASSERT_TRUE(a.Format().ok());
  ASSERT_TRUE(a.Mount().ok());
  VolumeSpec second = spec;
  second.metaUrl = a.metaUrl();
  second.bucket = a.bucket();
  second.formatted = true;
  TestMount b(second);
  ASSERT_TRUE(b.Mount().ok());
  ASSERT_EQ(mkdir((a / "dir").c_str(), 0755), 0);
  for (int i = 0; i < 20; i++) ASSERT_TRUE(WriteAt(a / ("dir/f" + std::to_string(i)), 0, Bytes(1000 + i * 333, i)));
  ASSERT_EQ(symlink("dir/f1", (a / "sym").c_str()), 0);
  ASSERT_EQ(link((a / "dir/f2").c_str(), (a / "hard").c_str()), 0);
  const auto want = Digest(a.path());
  const int64_t written = static_cast<int64_t>(std::time(nullptr));
  // Wait for a backup taken after the files were written, and a few more.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto list = Backups(a.bucket(), "testvol");
    size_t after = 0;
    for (auto& n : list) after += TimeOf(n) > written;
    if (after >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(a.Unmount().ok());
  ASSERT_TRUE(b.Unmount().ok());
  auto list = Backups(a.bucket(), "testvol");
  ASSERT_GE(list.size(), 3u) << ReadFile(a.logFile());
  // One per interval across both mounts: no two closer than the interval.
  for (size_t i = 1; i < list.size(); i++)
    EXPECT_GE(TimeOf(list[i]) - TimeOf(list[i - 1]), 2) << list[i - 1] << " and " << list[i];
  // No temporary or partial objects next to them.
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(a.bucket() + "/testvol/meta", ec))
    EXPECT_TRUE(e.path().filename().string().starts_with("dump-")) << e.path();

  // The engine is lost.
  const std::string db = a.metaUrl().substr(std::string("sqlite3://").size());
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix, ec);
  const std::string fresh = "sqlite3://" + a.dir() + "/restored.db";
  std::string out;
  ASSERT_EQ(RunSlicefs({"load", fresh, "--from-bucket", "testvol", "--storage", "file", "--bucket", a.bucket()}, &out), 0)
      << out;
  EXPECT_NE(out.find("restoring from testvol/meta/" + list.back()), std::string::npos) << out;
  VolumeSpec restored = spec;
  restored.metaUrl = fresh;
  restored.bucket = a.bucket();
  restored.formatted = true;
  restored.mountArgs = {"--backup-meta", "0"};
  TestMount r(restored);
  ASSERT_TRUE(r.Mount().ok());
  auto got = Digest(r.path());
  EXPECT_EQ(got, want);
  ASSERT_TRUE(r.Unmount().ok());
  // A named backup, and a missing one.
  const std::string other = "sqlite3://" + a.dir() + "/named.db";
  EXPECT_EQ(RunSlicefs({"load", other, "--from-bucket", "testvol", "--bucket", a.bucket(), "--backup", list.front()}, &out), 0) << out;
  EXPECT_NE(RunSlicefs({"load", "sqlite3://" + a.dir() + "/x.db", "--from-bucket", "testvol", "--bucket", a.bucket(),
                        "--backup", "dump-1999-01-01-000000.json.gz"}, &out), 0);
  EXPECT_NE(out.find("no backup"), std::string::npos) << out;
  EXPECT_NE(RunSlicefs({"load", "sqlite3://" + a.dir() + "/y.db", "--from-bucket", "novol", "--bucket", a.bucket()}, &out), 0);
  EXPECT_NE(out.find("no backup of volume 'novol'"), std::string::npos) << out;
}

TEST(MetaBackup, ReadOnlyMountsDoNotBackUp) {
  REQUIRE_FUSE();
  VolumeSpec spec;
  TestMount rw(spec);
  ASSERT_TRUE(rw.Format().ok());
  VolumeSpec ro = spec;
  ro.metaUrl = rw.metaUrl();
  ro.bucket = rw.bucket();
  ro.formatted = true;
  ro.mountArgs = {"--read-only", "--backup-meta", "1s"};
  TestMount m(ro);
  ASSERT_TRUE(m.Mount().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  ASSERT_TRUE(m.Unmount().ok());
  EXPECT_TRUE(Backups(rw.bucket(), "testvol").empty());
  // A bad interval is refused in one line.
  VolumeSpec bad = ro;
  bad.mountArgs = {"--backup-meta", "soon"};
  TestMount x(bad);
  Status st = x.Mount();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("invalid --backup-meta 'soon'"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace slicefs::testing
