// Dump and load of volumes built through real mounts, on real servers: a
// volume with every kind of metadata goes sqlite3 -> redis -> postgres ->
// etcd -> sqlite3 by `slicefs dump` / `slicefs load` (plain, gzip, zstd,
// a pipe), and after each hop the loaded volume mounts on the same bucket
// with the same tree, attributes, xattrs, links and file contents.
#include <gtest/gtest.h>

#include "dump/dump_util.h"
#include "kv/kv.h"
#include "support/engines.h"

namespace slicefs::testing {
namespace {

size_t KeyCount(const std::string& url) {
  auto kv = OpenKvStore(url);
  if (!kv) return SIZE_MAX;
  size_t n = 0;
  Status st = (*kv)->readOnly([&](KvTxn& tx) -> Status {
    auto r = tx.scan("", "", 0);
    if (!r) return r.error();
    n = r->size();
    return Status::OK();
  });
  return st.ok() ? n : SIZE_MAX;
}

void ExpectSameTree(const std::map<std::string, std::string>& want, const std::map<std::string, std::string>& got,
                    const std::string& hop) {
  EXPECT_EQ(got.size(), want.size()) << hop;
  for (auto& [k, v] : want) {
    auto it = got.find(k);
    if (it == got.end()) ADD_FAILURE() << hop << ": missing " << k;
    else EXPECT_EQ(it->second, v) << hop << ": " << k;
  }
  for (auto& [k, v] : got) EXPECT_TRUE(want.count(k)) << hop << ": extra " << k;
}

TEST(DumpMount, RoundTripThroughEveryEngineKeepsTheTree) {
  REQUIRE_FUSE();
  std::vector<std::string> chain = {"sqlite3", "redis", "postgres", "etcd", "sqlite3"};
  std::vector<std::string> urls;
  for (const auto& e : chain) {
    ENGINE_URL_OR_SKIP(u, e);
    urls.push_back(u);
  }
  VolumeSpec spec;
  spec.metaUrl = urls[0];
  spec.formatArgs = {"--trash-days", "1"};
  TestMount src(spec);
  ASSERT_EQ(FormatMountAndBuild(src), "");
  auto want = Digest(src.path());
  ASSERT_GT(want.size(), 55u);
  bool trashSeen = false;
  for (auto& [k, v] : want) trashSeen |= k.starts_with(".trash/");
  ASSERT_TRUE(trashSeen) << "the trash is empty: the test would not cover it";
  ASSERT_TRUE(src.Unmount().ok());

  const std::vector<std::string> files = {"d1.json", "d2.json.gz", "d3.json.zst", "-"};
  for (size_t hop = 0; hop + 1 < urls.size(); hop++) {
    const std::string name = chain[hop] + " -> " + chain[hop + 1];
    SCOPED_TRACE(name);
    std::string out;
    if (files[hop] == "-") {  // through a pipe
      auto r = ShellOutput(SlicefsBinary() + " dump '" + urls[hop] + "' | " + SlicefsBinary() + " load '" +
                           urls[hop + 1] + "' 2>&1");
      ASSERT_TRUE(r) << r.error().ToString();
    } else {
      std::string file = src.dir() + "/" + files[hop];
      ASSERT_EQ(RunSlicefs({"dump", urls[hop], file}, &out), 0) << out;
      ASSERT_EQ(RunSlicefs({"load", urls[hop + 1], file}, &out), 0) << out;
    }
    VolumeSpec next = spec;
    next.metaUrl = urls[hop + 1];
    next.formatted = true;
    next.bucket = src.bucket();
    TestMount dst(next);
    ASSERT_TRUE(dst.Mount().ok()) << name;
    ExpectSameTree(want, Digest(dst.path()), name);
    // The loaded volume takes new files (new inode numbers and slice ids
    // must not collide with loaded ones); the next hop carries them too.
    const std::string fresh = "new-after-hop-" + std::to_string(hop);
    ASSERT_TRUE(WriteAt(dst / fresh, 0, Bytes(70000, hop)));
    ASSERT_EQ(mkdir((dst / (fresh + "-dir")).c_str(), 0700), 0);
    EXPECT_EQ(ReadFile(dst / fresh), Bytes(70000, hop));
    auto now = Digest(dst.path());
    EXPECT_EQ(now.size(), want.size() + 2);
    for (auto& [k, v] : want) EXPECT_EQ(now[k], v) << name << ": " << k << " changed by new files";
    want = now;
    ASSERT_TRUE(dst.Unmount().ok());
  }
}

TEST(DumpMount, LoadRefusesBadInputWithOneLineAndLeavesTheEngineEmpty) {
  TempDir tmp("slicefs-dump");
  const std::string src = "sqlite3://" + tmp.path() + "/src.db";
  std::string out;
  ASSERT_EQ(RunSlicefs({"format", src, "vol1", "--bucket", tmp.path() + "/bucket"}, &out), 0) << out;
  const std::string file = tmp.path() + "/d.json";
  ASSERT_EQ(RunSlicefs({"dump", src, file}, &out), 0) << out;
  std::string doc = ReadFile(file);
  ASSERT_FALSE(doc.empty());
  // Non-empty target: refused, untouched.
  size_t before = KeyCount(src);
  EXPECT_NE(RunSlicefs({"load", src, file}, &out), 0);
  EXPECT_NE(out.find("not empty"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_EQ(KeyCount(src), before);
  // Truncated: refused, target empty, one line naming the position.
  ASSERT_TRUE(WriteFile(file, doc.substr(0, doc.size() / 2)));
  const std::string dst = "sqlite3://" + tmp.path() + "/dst.db";
  EXPECT_NE(RunSlicefs({"load", dst, file}, &out), 0);
  EXPECT_NE(out.find("record"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_EQ(KeyCount(dst), 0u);
  EXPECT_NE(RunSlicefs({"status", dst}, &out), 0);
  // A missing file: one line.
  EXPECT_NE(RunSlicefs({"load", dst, tmp.path() + "/nope.json"}, &out), 0);
  EXPECT_NE(out.find("cannot open"), std::string::npos) << out;
  // Dump of an unformatted engine.
  EXPECT_NE(RunSlicefs({"dump", "sqlite3://" + tmp.path() + "/none.db"}, &out), 0);
  EXPECT_NE(out.find("not formatted"), std::string::npos) << out;
}

}  // namespace
}  // namespace slicefs::testing
