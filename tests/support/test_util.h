// Small helpers shared by every test binary.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "common/status.h"

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

// Test data: n pseudo-random bytes, the same for the same seed (so a reader
// can regenerate what a writer wrote), from a 64-bit generator.
std::string PatternBytes(uint64_t seed, size_t n);
// The next n bytes of `rng`'s stream.
std::string RandomBytes(std::mt19937_64& rng, size_t n);

// Names in a directory, sorted, without "." and ".."; empty if unreadable.
std::vector<std::string> DirNames(const std::string& dir);

// Path of the built slicefs binary and of the source tree.
std::string SlicefsBinary();
std::string SourceDir();

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// Runs a program (argv[0] from PATH) with stdin from /dev/null, capturing
// stdout+stderr into *out; returns the exit code (128+signal if killed).
// The child gets no other descriptor of this process (all fds >= 3 are
// closed before exec), so a daemon it leaves behind (a server, a mount)
// holds no pipe, socket or file of the test open: such inherited fds make
// reads wait for EOF forever and keep FUSE mounts busy.
int RunCommand(const std::vector<std::string>& argv, std::string* out = nullptr,
               const std::string& cwd = "");

// Runs `sh -c cmd` the same way; its output with trailing newlines and
// spaces removed, or EIO naming the command and its exit status.
Result<std::string> ShellOutput(const std::string& cmd);

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
