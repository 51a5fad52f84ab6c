// Test helper: a formatted volume in a temp dir, mounted through the real
// `slicefs mount -d` at a real mountpoint, unmounted (fusermount3 -u, then
// waiting for the mount process) on destruction.
//
// The metadata URL and the storage are configurable so that other engines
// (redis, postgres, etcd) and S3 reuse it. Tests need /dev/fuse and root (or
// user_allow_other); FuseAvailable() says whether this machine can mount.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "support/test_util.h"

namespace slicefs::testing {

struct VolumeSpec {
  std::string metaUrl;          // empty: sqlite3://<tmp>/meta.db
  std::string storage = "file";  // file, mem or s3 (s3: a fresh bucket on the shared s3rver)
  std::string bucket;           // empty: <tmp>/bucket (file storage)
  std::string name = "testvol";
  std::vector<std::string> formatArgs = {"--trash-days", "0"};  // extra `format` args
  std::vector<std::string> mountArgs;   // extra `mount` args (allow_other is set unless below)
  bool allowOther = true;  // false: no -o allow_other (the mount's own default applies)
  bool formatted = false;  // the volume exists already (a second mount of it)
};

// Runs the slicefs binary with args; captures stdout+stderr into *out.
// Returns the exit code (128+signal if killed).
int RunSlicefs(const std::vector<std::string>& args, std::string* out = nullptr);

// True if absPath is a mount point (per /proc/self/mountinfo).
bool IsMounted(const std::string& absPath);

// True when mounts are possible here; otherwise *why says what is missing.
bool FuseAvailable(std::string* why);

class TestMount {
 public:
  explicit TestMount(VolumeSpec spec = {});
  ~TestMount();
  TestMount(const TestMount&) = delete;
  TestMount& operator=(const TestMount&) = delete;

  // `slicefs format` with the spec (once).
  Status Format();
  // `slicefs mount -d`; returns when the mount is usable.
  Status Mount(const std::vector<std::string>& extraArgs = {});
  // fusermount3 -u and wait for the mount process to exit.
  Status Unmount();
  // kill -9 the mount process, then fusermount3 -u the dead mount.
  Status Crash();

  bool mounted() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& path() const { return mnt_; }
  std::string operator/(const std::string& rel) const { return mnt_ + "/" + rel; }
  const std::string& metaUrl() const { return spec_.metaUrl; }
  const std::string& bucket() const { return spec_.bucket; }
  const std::string& dir() const { return tmp_.path(); }
  const std::string& logFile() const { return log_; }
  const VolumeSpec& spec() const { return spec_; }

 private:
  TempDir tmp_;
  VolumeSpec spec_;
  std::string mnt_, log_;
  bool formatted_ = false;
  pid_t pid_ = 0;
};

// Base fixture: one mount per test suite (shared by its tests); each test
// gets a fresh directory `dir_` inside it. Skips (or fails in CI) when FUSE
// is unavailable.
class MountedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  std::string P(const std::string& rel) const { return dir_ + "/" + rel; }

  static TestMount* mount_;
  static std::string skipReason_;
  std::string dir_;
};

// Runs fn in a forked child with the given credentials (setgroups,
// setresgid, setresuid); returns fn's return value (or -1 if the child
// crashed). fn returns an int (e.g. 0 for success, errno otherwise).
int RunAs(uid_t uid, gid_t gid, const std::vector<gid_t>& groups, const std::function<int()>& fn);

// SHA-256 hex digest of a file's content (or "" if unreadable).
std::string FileDigest(const std::string& path);
// Content of a file (throws nothing; "" on error) and writer helper.
std::string ReadFile(const std::string& path);
bool WriteFile(const std::string& path, const std::string& data);

}  // namespace slicefs::testing
