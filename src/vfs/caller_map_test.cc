#include "vfs/caller_map.h"

#include <gtest/gtest.h>

namespace slicefs {
namespace {

Ctx User(uint32_t uid, uint32_t gid, std::vector<uint32_t> gids = {}) {
  Ctx c;
  c.uid = uid;
  c.gid = gid;
  c.gids = std::move(gids);
  c.pid = 77;
  return c;
}

TEST(CallerMap, RootSquashMapsOnlyRoot) {
  CallerMap m;
  m.rootSquash = SquashIds{65534, 65533};
  Ctx r = m.Apply(User(0, 0, {0, 10}));
  EXPECT_EQ(r.uid, 65534u);
  EXPECT_EQ(r.gid, 65533u);
  EXPECT_TRUE(r.gids.empty());
  EXPECT_EQ(r.pid, 77u);
  Ctx u = m.Apply(User(1000, 100, {5}));
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_EQ(u.gid, 100u);
  EXPECT_EQ(u.gids, std::vector<uint32_t>{5});
}

TEST(CallerMap, AllSquashWinsOverRootSquash) {
  CallerMap m;
  m.rootSquash = SquashIds{1, 1};
  m.allSquash = SquashIds{2000, 3000};
  for (uint32_t uid : {0u, 1000u, 2000u}) {
    Ctx c = m.Apply(User(uid, uid, {7, 8}));
    EXPECT_EQ(c.uid, 2000u);
    EXPECT_EQ(c.gid, 3000u);
    EXPECT_TRUE(c.gids.empty());
  }
}

TEST(CallerMap, UmaskAddsToTheCallers) {
  CallerMap m;
  EXPECT_EQ(m.ApplyUmask(022), 022u);
  m.umask = 007;
  EXPECT_EQ(m.ApplyUmask(022), 027u);
  EXPECT_EQ(m.ApplyUmask(0), 007u);
}

TEST(CallerMap, Parsing) {
  auto ids = ParseSquashIds("65534:100", "--root-squash");
  ASSERT_TRUE(ids.has_value());
  EXPECT_EQ(ids->uid, 65534u);
  EXPECT_EQ(ids->gid, 100u);
  for (const char* bad : {"", "1", "1:", ":1", "a:b", "1:2:3", "-1:2", "1: 2", "99999999999:1"}) {
    auto r = ParseSquashIds(bad, "--all-squash");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message().find("--all-squash"), std::string::npos);
  }
  EXPECT_EQ(*ParseUmask("022"), 022u);
  EXPECT_EQ(*ParseUmask("0777"), 0777u);
  EXPECT_EQ(*ParseUmask("0"), 0u);
  for (const char* bad : {"", "8", "1000", "abc", "-1"}) EXPECT_FALSE(ParseUmask(bad).has_value()) << bad;
}

}  // namespace
}  // namespace slicefs
