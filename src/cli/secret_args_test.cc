#include "cli/secret_args.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace slicefs::cli {
namespace {

// The argument area as /proc/PID/cmdline shows it: args joined by NULs.
struct Args {
  explicit Args(std::vector<std::string> a) {
    for (auto& s : a) area.insert(area.end(), s.begin(), s.end()), area.push_back('\0');
    size_t off = 0;
    for (auto& s : a) argv.push_back(area.data() + off), off += s.size() + 1;
  }
  std::string Cmdline() const { return std::string(area.begin(), area.end()); }
  std::vector<char> area;
  std::vector<char*> argv;
};

TEST(ScrubSecretArgs, PasswordsBecomeStarsAndTheAreaKeepsItsSize) {
  Args a({"slicefs", "mount", "redis://:Secret-Pass@127.0.0.1:6379/1", "/mnt",
          "postgres://u:pw@h:5432/db?sslmode=require", "--log", "/var/log/x"});
  const size_t size = a.area.size();
  EXPECT_EQ(ScrubSecretArgs(static_cast<int>(a.argv.size()), a.argv.data()), 2);
  EXPECT_EQ(a.area.size(), size);
  std::string c = a.Cmdline();
  EXPECT_EQ(c.find("Secret-Pass"), std::string::npos);
  EXPECT_EQ(c.find(":pw@"), std::string::npos);
  EXPECT_STREQ(a.argv[2], "redis://:****@127.0.0.1:6379/1");
  EXPECT_STREQ(a.argv[4], "postgres://u:**@h:5432/db?sslmode=require");  // shorter than ****: starred in place
  EXPECT_STREQ(a.argv[3], "/mnt");
  EXPECT_STREQ(a.argv[6], "/var/log/x");
}

TEST(ScrubSecretArgs, LeavesEverythingElse) {
  Args a({"slicefs", "status", "sqlite3:///tmp/a@b.db", "redis://127.0.0.1:6379/1", "user@host", "https://h/b"});
  std::string before = a.Cmdline();
  EXPECT_EQ(ScrubSecretArgs(static_cast<int>(a.argv.size()), a.argv.data()), 0);
  EXPECT_EQ(a.Cmdline(), before);
}

}  // namespace
}  // namespace slicefs::cli
