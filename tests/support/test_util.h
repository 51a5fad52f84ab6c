// Small helpers shared by every test binary.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace slicefs::testing {

// True when running in CI (CI=true): there, nothing the machine supports may
// be skipped, so SKIP_OR_FAIL fails instead of skipping.
bool InCI();

// A fresh directory under $TMPDIR (or /tmp), removed recursively on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "slicefs-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The seed for a randomized test: $SLICEFS_SEED if set, else time-based.
// Always printed, so a failure can be replayed with SLICEFS_SEED=<seed>.
uint64_t TestSeed(const char* testName);

// Path of the built slicefs binary and of the source tree.
std::string SlicefsBinary();
std::string SourceDir();

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

}  // namespace slicefs::testing

// Skips the test with a loud reason, or fails it in CI.
#define SKIP_OR_FAIL(reason)                                                        \
  do {                                                                              \
    if (::slicefs::testing::InCI()) {                                               \
      FAIL() << "required in CI but unavailable: " << (reason);                    \
    } else {                                                                        \
      std::fprintf(stderr, "*** SKIPPED %s: %s\n",                                  \
                   ::testing::UnitTest::GetInstance()->current_test_info()->name(), \
                   std::string(reason).c_str());                                    \
      GTEST_SKIP() << (reason);                                                     \
    }                                                                               \
  } while (0)
