// The metadata engines available to tests (owned by team kv).
//
// Conformance suites are parameterized over EngineNames() with the engine
// name in the test name:
//
//   INSTANTIATE_TEST_SUITE_P(Engines, MySuite,
//                            ::testing::ValuesIn(slicefs::testing::EngineNames()),
//                            slicefs::testing::EngineParamName);
//   TEST_P(MySuite, Something) {
//     OPEN_ENGINE_OR_SKIP(store, GetParam());   // std::unique_ptr<KvStore>
//     ...
//   }
//
// Each call gives a fresh, empty namespace (a new sqlite file in a temp dir,
// a new key prefix / table on a shared server). Server-backed engines start
// their server lazily (scripts/servers/start-*.sh) on the first call and stop
// it when the process exits. Thread-safe. Do not call from a forked child
// (open the URL there with OpenKvStore instead).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "kv/kv.h"
#include "support/test_util.h"

namespace slicefs::testing {

// Every engine, in a fixed order: mem, sqlite3, redis, postgres, etcd.
const std::vector<std::string>& EngineNames();

// A META-URL naming a fresh, empty namespace of `engine`. ENOTSUP when the
// engine cannot run on this machine (its server binary is missing): callers
// then SKIP_OR_FAIL. Any other error is a real failure. "mem" gives a unique
// mem://NAME (shared only within this process).
Result<std::string> FreshEngineUrl(const std::string& engine);

// OpenKvStore(FreshEngineUrl(engine)).
Result<std::unique_ptr<KvStore>> OpenFreshEngine(const std::string& engine);

// True when the engine's URL can be opened by another process (not mem).
bool EngineIsShared(const std::string& engine);

// Test-name generator for ValuesIn(EngineNames()).
std::string EngineParamName(const ::testing::TestParamInfo<std::string>& info);

// Restarts the engine's server (stop, stay down for `downtime`, then start
// on the same port and data directory). ENOTSUP for engines without a
// server. For recovery tests. The server is started with none of this
// process's descriptors (open files on a mount, pipes) inherited.
Status RestartEngineServer(const std::string& engine,
                           std::chrono::milliseconds downtime = std::chrono::milliseconds(0));

// Runs scripts/servers/start-<kind>.sh DIR ARGS... (kind: redis, postgres,
// etcd) and returns the URL it printed. ENOTSUP when the server is not
// installed. A watchdog stops it should this process die; otherwise the
// caller stops it with StopServerScript(DIR) (stop.sh).
Result<std::string> StartServerScript(const std::string& kind, const std::string& dir, const std::string& args = "");
Status StopServerScript(const std::string& dir);

}  // namespace slicefs::testing

// Declares `std::unique_ptr<KvStore> var` holding a fresh store of `engine`,
// or skips (fails in CI) when the engine is unavailable, or fails the test.
#define OPEN_ENGINE_OR_SKIP(var, engine)                                 \
  std::unique_ptr<::slicefs::KvStore> var;                               \
  do {                                                                   \
    auto _eng = ::slicefs::testing::OpenFreshEngine(engine);             \
    if (!_eng) {                                                         \
      if (_eng.error().is(ENOTSUP)) SKIP_OR_FAIL(_eng.error().ToString()); \
      FAIL() << "cannot open engine " << (engine) << ": " << _eng.error().ToString(); \
    }                                                                    \
    var = std::move(*_eng);                                              \
  } while (0)

// Declares `std::string var` holding a fresh URL of `engine` (see above).
#define ENGINE_URL_OR_SKIP(var, engine)                                  \
  std::string var;                                                       \
  do {                                                                   \
    auto _u = ::slicefs::testing::FreshEngineUrl(engine);                \
    if (!_u) {                                                           \
      if (_u.error().is(ENOTSUP)) SKIP_OR_FAIL(_u.error().ToString());   \
      FAIL() << "no URL for engine " << (engine) << ": " << _u.error().ToString(); \
    }                                                                    \
    var = std::move(*_u);                                                \
  } while (0)
