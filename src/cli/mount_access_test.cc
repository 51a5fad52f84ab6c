#include "cli/mount_access.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_util.h"

namespace slicefs::cli {
namespace {

std::string Conf(const testing::TempDir& d, const std::string& text) {
  std::string p = d / "fuse.conf";
  std::ofstream(p) << text;
  return p;
}

TEST(MountAccess, FuseConfParsing) {
  testing::TempDir d;
  EXPECT_TRUE(FuseConfAllowsOther(Conf(d, "# comment\nmount_max = 1000\n  user_allow_other  \n")));
  EXPECT_FALSE(FuseConfAllowsOther(Conf(d, "#user_allow_other\nmount_max = 1000\n")));
  EXPECT_FALSE(FuseConfAllowsOther(Conf(d, "user_allow_otherwise\n")));
  EXPECT_FALSE(FuseConfAllowsOther(d / "missing.conf"));
}

TEST(MountAccess, AllowOtherDefaults) {
  testing::TempDir d;
  const std::string no = Conf(d, "# user_allow_other\n");
  MountAccessArgs a;
  std::vector<std::string> o;
  EXPECT_EQ(ApplyAllowOther(a, &o, /*asRoot=*/true, no), "");
  EXPECT_EQ(o, std::vector<std::string>{"allow_other"});
  // A user without user_allow_other: private, with a warning that says what to do.
  o.clear();
  std::string warn = ApplyAllowOther(a, &o, /*asRoot=*/false, no);
  EXPECT_TRUE(o.empty());
  EXPECT_NE(warn.find("user_allow_other"), std::string::npos) << warn;
  EXPECT_NE(warn.find("--no-allow-other"), std::string::npos) << warn;
  // ... and with it: shared.
  const std::string yes = (d / "yes.conf");
  std::ofstream(yes) << "user_allow_other\n";
  EXPECT_EQ(ApplyAllowOther(a, &o, /*asRoot=*/false, yes), "");
  EXPECT_EQ(o, std::vector<std::string>{"allow_other"});
  // Opted out: nothing added, no warning; given explicitly: not doubled.
  a.noAllowOther = true;
  o.clear();
  EXPECT_EQ(ApplyAllowOther(a, &o, /*asRoot=*/true, no), "");
  EXPECT_TRUE(o.empty());
  a.noAllowOther = false;
  o = {"allow_other"};
  EXPECT_EQ(ApplyAllowOther(a, &o, /*asRoot=*/true, no), "");
  EXPECT_EQ(o.size(), 1u);
}

TEST(MountAccess, CallerMapFromFlags) {
  MountAccessArgs a;
  a.rootSquash = "65534:65534";
  a.umask = "027";
  auto m = BuildCallerMap(a);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->rootSquash->uid, 65534u);
  EXPECT_FALSE(m->allSquash.has_value());
  EXPECT_EQ(m->umask, 027u);
  a.rootSquash = "0:5";
  EXPECT_FALSE(BuildCallerMap(a).has_value());
}

}  // namespace
}  // namespace slicefs::cli
