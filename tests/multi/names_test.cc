// Names across mounts: creates, renames and removals on one mount show up on
// another within the kernel entry-cache timeout; concurrent creates in one
// directory from both mounts lose nothing and both list the same set.
#include <atomic>
#include <mutex>

#include "multi/multi_env.h"

namespace slicefs::testing {
namespace {

class MultiNames : public MultiMountTest {};

bool Exists(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

TEST_P(MultiNames, ChangesOnOneMountAppearOnAnotherWithinEntryCacheTimeout) {
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  const auto deadline = kCacheTimeout + 3s;  // the cache timeout plus slack for a slow engine
  ASSERT_EQ(mkdir((*a / "d").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(*a / "d/x", "x data"));
  // B looks the names up now, so its kernel caches these entries.
  ASSERT_TRUE(WaitFor([&] { return Exists(*b / "d/x"); }, deadline)) << "create on A not visible on B";
  EXPECT_EQ(ReadFile(*b / "d/x"), "x data");
  EXPECT_FALSE(Exists(*b / "d/y"));  // and misses y (never cached as negative)

  // Rename on A: B sees the new name and loses the old one.
  ASSERT_EQ(rename((*a / "d/x").c_str(), (*a / "d/y").c_str()), 0);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor([&] { return Exists(*b / "d/y") && !Exists(*b / "d/x"); }, deadline))
      << "rename on A not visible on B";
  EXPECT_EQ(ReadFile(*b / "d/y"), "x data");
  EXPECT_EQ(ListDir(*b / "d"), (std::set<std::string>{"y"}));
  // Rename over an existing name B has cached, and a directory rename.
  ASSERT_TRUE(WriteFile(*a / "d/z", "z data"));
  ASSERT_TRUE(WaitFor([&] { return ReadFile(*b / "d/z") == "z data"; }, deadline));
  ASSERT_EQ(rename((*a / "d/y").c_str(), (*a / "d/z").c_str()), 0);
  EXPECT_TRUE(WaitFor([&] { return ReadFile(*b / "d/z") == "x data" && !Exists(*b / "d/y"); }, deadline))
      << "rename-over on A not visible on B: z reads '" << ReadFile(*b / "d/z") << "'";
  ASSERT_EQ(mkdir((*a / "d/sub").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(*a / "d/sub/inner", "inner"));
  ASSERT_TRUE(WaitFor([&] { return Exists(*b / "d/sub/inner"); }, deadline));
  ASSERT_EQ(rename((*a / "d/sub").c_str(), (*a / "moved").c_str()), 0);
  EXPECT_TRUE(WaitFor([&] { return ReadFile(*b / "moved/inner") == "inner" && !Exists(*b / "d/sub"); }, deadline))
      << "directory rename on A not visible on B";

  // Removal on A: B loses the names.
  ASSERT_EQ(unlink((*a / "d/z").c_str()), 0);
  ASSERT_EQ(unlink((*a / "moved/inner").c_str()), 0);
  ASSERT_EQ(rmdir((*a / "moved").c_str()), 0);
  EXPECT_TRUE(WaitFor([&] { return !Exists(*b / "d/z") && !Exists(*b / "moved"); }, deadline))
      << "removal on A not visible on B";
  EXPECT_TRUE(ListDir(*b / "d").empty());
  // The other direction, and the directory B removes is gone for A.
  ASSERT_EQ(rmdir((*b / "d").c_str()), 0);
  EXPECT_TRUE(WaitFor([&] { return !Exists(*a / "d"); }, deadline)) << "rmdir on B not visible on A";
  auto took = std::chrono::steady_clock::now() - start;
  std::fprintf(stderr, "[multi] name changes propagated in %lld ms in total\n",
               static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
}

TEST_P(MultiNames, ConcurrentCreatesInOneDirectoryLoseNothing) {
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  ASSERT_EQ(mkdir((*a / "d").c_str(), 0777), 0);
  ASSERT_TRUE(WaitFor([&] { return Exists(*b / "d"); }, kCacheTimeout + 3s));
  constexpr int kThreads = 3, kFiles = 25, kShared = 20;
  std::mutex mu;
  std::set<std::string> created;
  std::vector<std::string> errors;
  std::atomic<int> sharedWins{0};
  std::vector<std::thread> ts;
  for (TestMount* m : {a, b}) {
    for (int t = 0; t < kThreads; t++) {
      ts.emplace_back([&, m, t] {
        const std::string side = m == a ? "a" : "b";
        for (int i = 0; i < kFiles; i++) {
          // A name of its own: must succeed.
          std::string name = side + std::to_string(t) + "_" + std::to_string(i);
          int fd = open((*m / ("d/" + name)).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
          bool ok = fd >= 0 && write(fd, name.data(), name.size()) == static_cast<ssize_t>(name.size());
          int err = errno;
          if (fd >= 0) ok = close(fd) == 0 && ok;
          std::lock_guard l(mu);
          if (ok) {
            created.insert(name);
          } else {
            errors.push_back(name + ": " + std::strerror(err));
          }
        }
        // Names every thread on both mounts races for: exactly one wins each.
        for (int i = 0; i < kShared; i++) {
          std::string name = "shared_" + std::to_string(i);
          int fd = open((*m / ("d/" + name)).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
          if (fd >= 0) {
            sharedWins++;
            close(fd);
          } else if (errno != EEXIST) {
            std::lock_guard l(mu);
            errors.push_back(name + ": " + std::strerror(errno));
          }
        }
      });
    }
  }
  for (auto& t : ts) t.join();
  EXPECT_TRUE(errors.empty()) << errors.size() << " failed creates, first: " << errors.front();
  EXPECT_EQ(sharedWins.load(), kShared) << "O_EXCL creates of one name from two mounts: want exactly one winner each";
  std::set<std::string> want = created;
  for (int i = 0; i < kShared; i++) want.insert("shared_" + std::to_string(i));
  EXPECT_EQ(created.size(), static_cast<size_t>(2 * kThreads * kFiles));
  // readdir is not cached by the kernel: both mounts list the full set now.
  EXPECT_EQ(ListDir(*a / "d"), want);
  EXPECT_EQ(ListDir(*b / "d"), want);
  for (const auto& n : created) {
    if (ReadFile(*b / ("d/" + n)) != n) ADD_FAILURE() << n << " has the wrong content on B";
  }
  EXPECT_EQ(Stat(*a / "d").st_nlink, 2u);
}

INSTANTIATE_MULTI_SUITE(MultiNames);

}  // namespace
}  // namespace slicefs::testing
