// Shared fixture of the tree suite (rmr, trash, restore, clone, compact,
// warmup, the control channel): a fresh real mount per test on the engine
// given as the parameter (sqlite3 and redis), with the trash on.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/engines.h"
#include "support/mount.h"

namespace slicefs::testing {

inline constexpr uid_t kUser = 1000;   // a non-root caller
inline constexpr uid_t kOther = 1001;  // another one

class TreeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  // Mounts the volume (again) with extra env for the mount process.
  std::unique_ptr<TestMount> SecondMount(const std::vector<std::pair<std::string, std::string>>& env);

  std::unique_ptr<TestMount> m_;
  std::string url_;
};

// Runs `slicefs args...` as uid/gid (uid 0: as root); output into *out.
int SlicefsAs(uid_t uid, const std::vector<std::string>& args, std::string* out = nullptr);
// Files (digest), directories ("dir") and symlinks ("-> target") under root,
// keyed by relative path.
std::map<std::string, std::string> TreeDigest(const std::string& root);
// dirs x files files of a few KiB with deterministic, distinct content.
void MakeTree(const std::string& root, int dirs, int filesPerDir);
// Names in .trash/ hour directories: "HOUR/ENTRY".
std::vector<std::string> TrashEntries(const TestMount& m);
// Block objects in the (file-storage) bucket.
size_t ChunkObjects(const TestMount& m);
// Entries below root (find | wc -l, root excluded).
size_t CountEntries(const std::string& root);

}  // namespace slicefs::testing
