// Shared fixture and helpers of the metadata conformance suite. Every suite
// is parameterized over tests/support/engines.h's engine list, so each test
// runs against every engine, named e.g. Engines/MetaTest.Foo/sqlite3.
#pragma once

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

#include "kv/kv.h"
#include "meta/meta.h"
#include "meta/meta_impl.h"  // keys and codecs for tests that inspect the engine
#include "support/assert.h"
#include "support/engines.h"
#include "support/test_util.h"

namespace slicefs::metatest {

// The value of a Result, or a test failure (thrown, so the test stops).
template <class T>
T Must(Result<T> r, const char* what = "") {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().ToString());
  return std::move(*r);
}
inline void Must(const Status& s, const char* what = "") {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + s.ToString());
}


inline Ctx User(uint32_t uid, uint32_t gid, std::vector<uint32_t> groups = {}) {
  Ctx c;
  c.uid = uid;
  c.gid = gid;
  c.gids = std::move(groups);
  return c;
}

// True if `key` exists in the engine (adds a failure on engine errors).
bool KeyExists(KvStore& kv, const std::string& key);
// Number of keys in the engine's namespace.
size_t KeyCount(KvStore& kv);
// Rewrites session sid's expiry to 1970, as if it had stopped heartbeating.
void ExpireSession(KvStore& kv, uint64_t sid);

// A SliceDeleter that records the slice ids it was given.
struct DeleterLog {
  std::mutex mu;
  std::multiset<uint64_t> ids;
  SliceDeleter fn() {
    return [this](uint64_t id, uint32_t) {
      std::lock_guard lk(mu);
      ids.insert(id);
    };
  }
  size_t count(uint64_t id) {
    std::lock_guard lk(mu);
    return ids.count(id);
  }
};

// Summary of a whole-volume consistency check (see CheckInvariants).
struct VolumeScan {
  size_t inodes = 0;       // inodes other than root and trash
  int64_t usedSpace = 0;   // sum of SpaceOf over files
};

// Reads every key of the volume and checks: entries point to existing inodes
// of the right type; a directory's nlink is 2 + its subdirectories; a
// directory's parent is the directory holding its entry; a file's nlink is
// the number of entries naming it (0 only with an SS record), with parent
// records exactly when it has several links. Adds failures; returns totals.
VolumeScan CheckInvariants(KvStore& kv);

class MetaTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Adjusts the format before Format() (trash, limits). Default: no trash.
  virtual void Customize(VolumeFormat& f) {}
  // Opens another client (own KvStore on the same URL) of this volume.
  std::unique_ptr<Meta> OpenClient(const MetaOptions& opts = {});
  Meta& impl() { return *meta_; }

  std::string url_;
  std::unique_ptr<Meta> meta_;
  Ctx root_ = Ctx::Root();
  testing::TempDir tmp_{"slicefs-meta"};
};

}  // namespace slicefs::metatest
