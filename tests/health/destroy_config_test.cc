// destroy and config on real mounts (sqlite3 and redis): destroy refuses a
// wrong UUID and a live mount, then leaves no object and no key; config
// changes the capacity (df shows it after a remount) and refuses a bucket
// that does not hold the volume's UUID.
#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <nlohmann/json.hpp>

#include "health/health_env.h"

namespace slicefs::testing {
namespace {

class DestroyConfig : public ::testing::TestWithParam<std::string> {};

std::string UuidOf(const std::string& url) {
  std::string out;
  EXPECT_EQ(RunSlicefs({"config", url}, &out), 0) << out;
  auto j = nlohmann::json::parse(out.substr(out.find('{')), nullptr, false);
  return j.is_object() ? j.value("uuid", "") : "";
}

TEST_P(DestroyConfig, DestroyLeavesNothingAndRefusesWhileMounted) {
  HEALTH_VOLUME(m, url, true);
  for (int i = 0; i < 20; i++) ASSERT_TRUE(WriteFile(m / ("f" + std::to_string(i)), PatternBytes(i, 100000)));
  const std::string uuid = UuidOf(url);
  ASSERT_EQ(uuid.size(), 36u);
  std::string out;
  EXPECT_NE(RunSlicefs({"destroy", url, uuid, "--yes"}, &out), 0) << out;
  EXPECT_NE(out.find("live session"), std::string::npos) << out;
  ASSERT_TRUE(m.Unmount().ok());
  EXPECT_NE(RunSlicefs({"destroy", url, "00000000-0000-4000-8000-000000000000", "--yes"}, &out), 0) << out;
  EXPECT_NE(out.find("does not match"), std::string::npos) << out;
  EXPECT_NE(RunSlicefs({"destroy", url, uuid}, &out), 0) << "stdin is not a terminal: " << out;
  EXPECT_NE(out.find("--yes"), std::string::npos) << out;
  const size_t objects = FilesUnder(m.bucket() + "/testvol").size();
  EXPECT_GT(objects, 40u);
  auto kv = MustKv(url);
  EXPECT_GT(KeyCount(*kv), 20u);

  ASSERT_EQ(RunSlicefs({"destroy", url, uuid, "--yes"}, &out), 0) << out;
  EXPECT_NE(out.find("destroyed"), std::string::npos) << out;
  EXPECT_EQ(FilesUnder(m.bucket() + "/testvol"), std::vector<std::string>{});
  EXPECT_EQ(KeyCount(*kv), 0u);
  EXPECT_NE(RunSlicefs({"status", url}, &out), 0) << out;
}

TEST_P(DestroyConfig, InterruptedDestroyFinishesOnRerun) {
  ENGINE_URL_OR_SKIP(url, GetParam());
  VolumeSpec spec;
  spec.metaUrl = url;
  TestMount m(spec);
  ASSERT_TRUE(m.Format().ok());
  const std::string uuid = UuidOf(url);
  // As if a run stopped after deleting the UUID object, before the engine.
  for (int i = 0; i < 3; i++) PlantObject(m.bucket(), "testvol", 1000 + i, 10, 0);
  ASSERT_EQ(::unlink((m.bucket() + "/testvol/slicefs_uuid").c_str()), 0);
  std::string out;
  ASSERT_EQ(RunSlicefs({"destroy", url, uuid, "--yes"}, &out), 0) << out;
  EXPECT_EQ(FilesUnder(m.bucket() + "/testvol"), std::vector<std::string>{});
  auto kv = MustKv(url);
  EXPECT_EQ(KeyCount(*kv), 0u);
}

TEST_P(DestroyConfig, ConfigChangesCapacityAndChecksANewBucket) {
  HEALTH_VOLUME(m, url, false);
  std::string out;
  ASSERT_EQ(RunSlicefs({"config", url, "--capacity", "3G", "--inodes", "5000", "--secret-key", "s3cr3t"}, &out), 0)
      << out;
  EXPECT_NE(out.find("capacity: unlimited -> 3 GiB"), std::string::npos) << out;
  EXPECT_NE(out.find("inodes: unlimited -> 5000"), std::string::npos) << out;
  EXPECT_NE(out.find("secret-key: \"\" -> ****"), std::string::npos) << out;
  EXPECT_EQ(out.find("s3cr3t"), std::string::npos) << "secret shown: " << out;
  ASSERT_EQ(RunSlicefs({"config", url}, &out), 0) << out;
  EXPECT_EQ(out.find("s3cr3t"), std::string::npos) << "secret shown: " << out;
  ASSERT_TRUE(m.Mount().ok());
  struct statvfs sv {};
  ASSERT_EQ(::statvfs(m.path().c_str(), &sv), 0);
  EXPECT_EQ(static_cast<uint64_t>(sv.f_blocks) * sv.f_frsize, 3ULL << 30);
  EXPECT_EQ(sv.f_files, 5000u);
  auto df = ShellOutput("df -B1 --output=size " + m.path() + " | tail -1");
  ASSERT_TRUE(df);
  EXPECT_EQ(std::stoull(*df), 3ULL << 30) << *df;
  ASSERT_TRUE(m.Unmount().ok());

  // A bucket without this volume's UUID object is refused; nothing changes.
  const std::string other = m.dir() + "/other-bucket";
  ASSERT_EQ(::mkdir(other.c_str(), 0755), 0);
  EXPECT_NE(RunSlicefs({"config", url, "--bucket", other}, &out), 0) << out;
  EXPECT_NE(out.find("refusing the new storage"), std::string::npos) << out;
  ASSERT_EQ(RunSlicefs({"config", url}, &out), 0) << out;
  EXPECT_NE(out.find(m.bucket()), std::string::npos) << out;
  // The same volume copied to a new bucket is accepted.
  ASSERT_EQ(RunCommand({"cp", "-a", m.bucket() + "/.", other}), 0);
  ASSERT_EQ(RunSlicefs({"config", url, "--bucket", other}, &out), 0) << out;
  EXPECT_NE(out.find("bucket: " + m.bucket() + " -> " + other), std::string::npos) << out;
  // Settings fixed at format: one line, non-zero.
  EXPECT_NE(RunSlicefs({"config", url, "--block-size", "1M"}, &out), 0) << out;
  EXPECT_NE(out.find("cannot be changed"), std::string::npos) << out;
  EXPECT_NE(RunSlicefs({"config", url, "--compress", "lz4"}, &out), 0) << out;
}

INSTANTIATE_TEST_SUITE_P(Engines, DestroyConfig, ::testing::ValuesIn(HealthEngines()), EngineParamName);

}  // namespace
}  // namespace slicefs::testing
