#include "cli/progress.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace slicefs::cli {
namespace {

TEST(FormatCount, GroupsThousands) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
}

TEST(Progress, CountsFromManyThreads) {
  Progress p("test", "entries", /*quiet=*/true);
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        p.Add();
        p.AddBytes(2);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(p.count(), 40000u);
  EXPECT_EQ(p.bytes(), 80000u);
}

TEST(Progress, LineShowsTotalEtaAndNote) {
  Progress p("fsck", "objects", true);
  p.SetTotal(1000);
  p.Add(250);
  p.SetNote("2 broken");
  std::string live = p.Line(false);
  EXPECT_NE(live.find("fsck: 250/1,000 objects"), std::string::npos) << live;
  EXPECT_NE(live.find("ETA "), std::string::npos) << live;
  EXPECT_NE(live.find("2 broken"), std::string::npos) << live;
  std::string final = p.Line(true);
  EXPECT_NE(final.find("fsck: 250 objects in "), std::string::npos) << final;
  EXPECT_EQ(final.find("ETA"), std::string::npos) << final;
}

}  // namespace
}  // namespace slicefs::cli
