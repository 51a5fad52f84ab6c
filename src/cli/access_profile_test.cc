#include "cli/access_profile.h"

#include <gtest/gtest.h>

#include "fuse/op_trace.h"

namespace slicefs::cli {
namespace {

TEST(AccessProfile, ParsesWhatTheMountWrites) {
  auto line = fusead::AccessLogLine(1764599400123456, 1000, 100, 42, "mkdir", "1,a (b),493", 0, false, 0.25);
  auto r = ParseAccessLine(line);
  ASSERT_TRUE(r) << line;
  EXPECT_EQ(r->uid, 1000u);
  EXPECT_EQ(r->gid, 100u);
  EXPECT_EQ(r->pid, 42u);
  EXPECT_EQ(r->op, "mkdir");
  EXPECT_EQ(r->result, "OK");
  EXPECT_DOUBLE_EQ(r->seconds, 0.25);
  EXPECT_FALSE(ParseAccessLine("#dropped 3 lines"));
  EXPECT_FALSE(ParseAccessLine("hello world"));
}

TEST(AccessProfile, AggregatesAndFilters) {
  auto L = [](uint32_t uid, uint32_t pid, const char* op, double s) {
    return fusead::AccessLogLine(0, uid, uid, pid, op, "1", 0, false, s);
  };
  ProfileFilter only7;
  only7.uid = 7;
  AccessProfile all, user(only7);
  for (auto* p : {&all, &user}) {
    p->Add(L(0, 1, "read", 0.1));
    p->Add(L(7, 2, "write", 0.3));
    p->Add(L(7, 2, "write", 0.3));
    p->Add("#dropped 5 lines");
  }
  EXPECT_EQ(all.total(), 3u);
  EXPECT_EQ(user.total(), 2u);
  EXPECT_EQ(all.dropped(), 5u);
  std::string rep = all.Report(2.0, 10);
  EXPECT_NE(rep.find("3 operations"), std::string::npos) << rep;
  EXPECT_LT(rep.find("  write "), rep.find("  read ")) << "ordered by total time\n" << rep;
  EXPECT_NE(rep.find("5 lines dropped"), std::string::npos) << rep;
  EXPECT_EQ(user.Report(0, 10).find("  read "), std::string::npos);
}

}  // namespace
}  // namespace slicefs::cli
