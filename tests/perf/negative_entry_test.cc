// --negative-entry-cache: a name found absent is remembered by the kernel
// (no second LOOKUP reaches the mount), a create through this mount is seen
// at once, and without the flag every stat of a missing name is a LOOKUP.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

#include "mount/mount_util.h"
#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

// FUSE LOOKUPs the mount has answered so far (from its .stats file).
long Lookups(const TestMount& m) {
  const std::string s = ReadFile(m / ".stats");
  std::smatch mt;
  static const std::regex re("slicefs_fuse_op_duration_seconds_count\\{[^}]*op=\"lookup\"[^}]*\\} ([0-9]+)");
  return std::regex_search(s, mt, re) ? std::stol(mt[1]) : -1;
}

bool Exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

// A request is counted just after its reply goes out, so a LOOKUP may be
// counted a moment after stat returned: the count once it holds still
// (unchanged over 100 ms, at most 2 s).
long SettledLookups(const TestMount& m) {
  long v = Lookups(m);
  for (int i = 0; i < 20; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    long w = Lookups(m);
    if (w == v) return v;
    v = w;
  }
  return v;
}

// LOOKUPs caused by the first and the second stat of one missing name.
std::pair<long, long> MissTwice(const TestMount& m, const std::string& name) {
  Lookups(m);  // warm the .stats entry (cached for --entry-cache)
  const long a = SettledLookups(m);
  EXPECT_FALSE(Exists(m / name));
  const long b = SettledLookups(m);
  EXPECT_FALSE(Exists(m / name));
  const long c = SettledLookups(m);
  return {b - a, c - b};
}

TEST(NegativeEntryCache, SecondMissIsAnsweredByTheKernel) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_TRUE(m.Mount({"--entry-cache", "60", "--negative-entry-cache", "60"}).ok());
  ASSERT_GE(Lookups(m), 0) << "no lookup series in .stats";
  auto [first, second] = MissTwice(m, "absent");
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 0);
  // A create through this mount replaces the cached absence.
  ASSERT_TRUE(WriteFile(m / "absent", "now here"));
  EXPECT_TRUE(Exists(m / "absent"));
  EXPECT_EQ(ReadFile(m / "absent"), "now here");
  // mkdir too.
  EXPECT_FALSE(Exists(m / "dir"));
  ASSERT_EQ(mkdir((m / "dir").c_str(), 0755), 0);
  EXPECT_TRUE(Exists(m / "dir"));
}

TEST(NegativeEntryCache, OffByDefault) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_TRUE(m.Mount({"--entry-cache", "60"}).ok());
  auto [first, second] = MissTwice(m, "absent");
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
}

}  // namespace
}  // namespace slicefs::testing
