// slicefs export: files copied out of a volume without a mount, from a
// dump file or a backup in the bucket with the engine deleted: the local
// tree has the same names, modes, owners, times, links, xattrs and
// checksums; a missing block is reported with the file's path and the
// rest is exported.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "dump/dump_util.h"

namespace slicefs::testing {
namespace {

// The digest without the trash, directory sizes (a local filesystem's
// directory size is its own business) and the allocated-blocks flag.
std::map<std::string, std::string> Comparable(std::map<std::string, std::string> d) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : d) {
    if (k.starts_with(".trash")) continue;
    std::istringstream in(v);
    std::vector<std::string> f((std::istream_iterator<std::string>(in)), std::istream_iterator<std::string>());
    if (f.size() > 4 && S_ISDIR(std::stoul(f[0]))) f[4] = "-";
    std::string s;
    for (size_t i = 0; i < f.size(); i++) {
      if (f[i] == "blocks") {  // all-zero data is exported as a hole: checked apart
        i++;
        continue;
      }
      s += f[i] + " ";
    }
    out[k] = s;
  }
  return out;
}

TEST(Export, FromADumpOrABackupWithTheEngineGone) {
  REQUIRE_FUSE();
  VolumeSpec spec;
  spec.formatArgs = {"--trash-days", "1"};
  TestMount src(spec);
  ASSERT_EQ(FormatMountAndBuild(src), "");
  const auto want = Comparable(Digest(src.path()));
  ASSERT_TRUE(src.Unmount().ok());
  std::string out;
  const std::string dump = src.dir() + "/vol.json.zst";
  ASSERT_EQ(RunSlicefs({"dump", src.metaUrl(), dump}, &out), 0) << out;
  std::filesystem::create_directories(src.bucket() + "/testvol/meta");
  const std::string backup = src.bucket() + "/testvol/meta/dump-2026-01-02-030405.json.gz";
  ASSERT_EQ(RunSlicefs({"dump", src.metaUrl(), backup}, &out), 0) << out;
  std::error_code ec;
  const std::string db = src.metaUrl().substr(std::string("sqlite3://").size());
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s, ec);

  const std::string dest1 = src.dir() + "/out1";
  ASSERT_EQ(RunSlicefs({"export", dump, dest1}, &out), 0) << out;
  EXPECT_NE(out.find("exported"), std::string::npos) << out;
  auto got = Comparable(Digest(dest1));
  EXPECT_EQ(got.size(), want.size());
  for (auto& [k, v] : want) EXPECT_EQ(got[k], v) << k;
  // Holes stay holes: the sparse file takes far less than its length.
  struct stat st;
  ASSERT_EQ(stat((dest1 + "/sparse").c_str(), &st), 0);
  EXPECT_LT(st.st_blocks * 512, st.st_size / 10);

  const std::string dest2 = src.dir() + "/out2";
  ASSERT_EQ(RunSlicefs({"export", "--from-bucket", "testvol", "--bucket", src.bucket(), dest2, "--path", "/a"}, &out), 0)
      << out;
  EXPECT_NE(out.find("restoring from testvol/meta/dump-2026-01-02-030405.json.gz"), std::string::npos) << out;
  EXPECT_EQ(FileDigest(dest2 + "/b/f7"), FileDigest(dest1 + "/a/b/f7"));
  EXPECT_FALSE(std::filesystem::exists(dest2 + "/big"));

  // A lost block: that file is reported, the others are exported.
  std::string victim;
  for (auto& e : std::filesystem::recursive_directory_iterator(src.bucket() + "/testvol/chunks"))
    if (e.is_regular_file() && e.file_size() == 4u << 20) victim = e.path();
  ASSERT_FALSE(victim.empty());
  std::filesystem::remove(victim);
  const std::string dest3 = src.dir() + "/out3";
  EXPECT_EQ(RunSlicefs({"export", dump, dest3}, &out), 2) << out;
  EXPECT_NE(out.find("error: /big: "), std::string::npos) << out;
  EXPECT_NE(out.find("1 files could not be exported"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dest3 + "/big"));
  EXPECT_EQ(FileDigest(dest3 + "/frag"), FileDigest(dest1 + "/frag"));
  EXPECT_EQ(FileDigest(dest3 + "/a/hard1"), FileDigest(dest1 + "/a/hard1"));
}

}  // namespace
}  // namespace slicefs::testing
