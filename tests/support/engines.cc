#include "support/engines.h"

#include <unistd.h>

#include <atomic>
#include <mutex>

namespace slicefs::testing {
namespace {

std::atomic<int> g_counter{0};

std::string UniqueTag() {
  return std::to_string(getpid()) + "_" + std::to_string(g_counter.fetch_add(1));
}

const TempDir& SqliteDir() {
  static TempDir* dir = new TempDir("slicefs-sqlite");  // removed by atexit below
  static bool once = [] {
    std::atexit([] { delete dir; });
    return true;
  }();
  (void)once;
  return *dir;
}

}  // namespace

const std::vector<std::string>& EngineNames() {
  static const std::vector<std::string> names = {"mem", "sqlite3"};
  return names;
}

bool EngineIsShared(const std::string& engine) { return engine != "mem"; }

Result<std::string> FreshEngineUrl(const std::string& engine) {
  if (engine == "mem") return "mem://test_" + UniqueTag();
  if (engine == "sqlite3") return "sqlite3://" + SqliteDir().path() + "/kv_" + UniqueTag() + ".db";
  return Err(EINVAL, "unknown engine '" + engine + "'");
}

Result<std::unique_ptr<KvStore>> OpenFreshEngine(const std::string& engine) {
  ASSIGN_OR_RETURN(auto url, FreshEngineUrl(engine));
  return OpenKvStore(url);
}

std::string EngineParamName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

Status RestartEngineServer(const std::string& engine) {
  return Status::Error(ENOTSUP, "engine " + engine + " has no server");
}

}  // namespace slicefs::testing
