// The many-clients suite: several real `slicefs mount` processes of ONE
// volume, each its own session, for every engine that can be shared
// (sqlite3 on one db file, redis, postgres, etcd). Every test is
// parameterized over those engines with the engine name in the test name
// (MultiX/Y.Test/redis). Mounts use short kernel caches (1 s) and a short
// heartbeat (1 s) so that cross-mount effects show up quickly; every wait
// is a bounded poll.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "posix/posix_util.h"
#include "support/child_process.h"
#include "support/engines.h"
#include "support/mount.h"

namespace slicefs::testing {

using namespace std::chrono_literals;

// Engines whose volume several mount processes can share: all but mem.
inline std::vector<std::string> SharedEngines() {
  std::vector<std::string> out;
  for (const auto& e : EngineNames()) {
    if (EngineIsShared(e)) out.push_back(e);
  }
  return out;
}

// Polls pred every 20 ms until it holds or `timeout` passes.
inline bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

// Names in a directory (without "." and ".."); empty set if unreadable.
inline std::set<std::string> ListDir(const std::string& dir) {
  auto names = DirNames(dir);
  return std::set<std::string>(names.begin(), names.end());
}

// Number of objects under {bucket}/{volume}/chunks (file storage).
inline int CountChunkObjects(const TestMount& m) {
  std::error_code ec;
  std::string root = m.bucket() + "/" + m.spec().name + "/chunks";
  int n = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) n++;
  }
  return n;
}

// A descriptor closed when it goes out of scope, so that a failing test
// leaves no file open on a mount (which would keep it busy at unmount).
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() { Close(); }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  // close(2) now: 0 or -1 with errno.
  int Close() {
    int fd = fd_;
    fd_ = -1;
    return fd >= 0 ? close(fd) : 0;
  }

 private:
  int fd_;
};

// The fixture: SetUp gets a fresh namespace of the engine; Mount() adds one
// more mount process of the volume (the first formats it, with trash off and
// 1 MiB blocks). Mounts are unmounted (fusermount3 -u) when the test ends,
// whatever happened.
class MultiMountTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Short kernel caches and heartbeat; a test may add more mount options.
  static std::vector<std::string> ShortCaches() {
    return {"--entry-cache", "1", "--dir-entry-cache", "1", "--attr-cache", "1", "--heartbeat", "1"};
  }
  static constexpr auto kCacheTimeout = 1s;  // what ShortCaches() sets

  void SetUp() override {
    std::string why;
    if (!FuseAvailable(&why)) SKIP_OR_FAIL(why);
    auto url = FreshEngineUrl(GetParam());
    if (!url) {
      if (url.error().is(ENOTSUP)) SKIP_OR_FAIL(url.error().ToString());
      FAIL() << "no URL for engine " << GetParam() << ": " << url.error().ToString();
    }
    url_ = *url;
  }

  void TearDown() override {
    for (auto it = mounts_.rbegin(); it != mounts_.rend(); ++it) {
      Status st = (*it)->Unmount();
      EXPECT_TRUE(st.ok()) << "unmounting " << (*it)->path() << ": " << st.ToString();
    }
    mounts_.clear();
  }

  // One more mount of the volume with ShortCaches() plus `extra`; fails the
  // test (returns nullptr) when it cannot mount.
  TestMount* Mount(const std::vector<std::string>& extra = {}) {
    VolumeSpec spec;
    spec.metaUrl = url_;
    spec.formatArgs = {"--trash-days", "0", "--block-size", "1M"};
    spec.mountArgs = ShortCaches();
    spec.mountArgs.insert(spec.mountArgs.end(), extra.begin(), extra.end());
    if (!mounts_.empty()) {
      spec.bucket = mounts_.front()->bucket();
      spec.formatted = true;
    }
    auto m = std::make_unique<TestMount>(spec);
    Status st = m->Mount();
    EXPECT_TRUE(st.ok()) << "mount " << mounts_.size() + 1 << " of " << url_ << ": " << st.ToString();
    if (!st.ok()) return nullptr;
    mounts_.push_back(std::move(m));
    return mounts_.back().get();
  }

  std::string url_;
  std::vector<std::unique_ptr<TestMount>> mounts_;
};

// Instantiates a MultiMountTest-derived suite over SharedEngines().
#define INSTANTIATE_MULTI_SUITE(suite)                                                     \
  INSTANTIATE_TEST_SUITE_P(Engines, suite, ::testing::ValuesIn(::slicefs::testing::SharedEngines()), \
                           ::slicefs::testing::EngineParamName)

// Mounts into `var` (a TestMount*) or ends the test.
#define MOUNT_OR_RETURN(var, ...)     \
  TestMount* var = Mount(__VA_ARGS__); \
  if (!var) return

}  // namespace slicefs::testing
