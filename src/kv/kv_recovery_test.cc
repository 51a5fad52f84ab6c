// Server engines survive a restart of their server in the middle of a
// workload: operations wait and retry, none fails, nothing is lost.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "support/engines.h"

namespace slicefs {
namespace {

class KvRecovery : public ::testing::TestWithParam<std::string> {};

// Each worker appends a chain of keys w<i>/<j>, each transaction checking
// that the previous link exists: a lost commit breaks the chain.
TEST_P(KvRecovery, ServerRestartMidWorkload) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  constexpr int kWorkers = 3;
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::atomic<int> afterRestart{0};
  std::atomic<bool> restarted{false};
  std::mutex mu;
  std::string firstError;
  std::vector<int> done(kWorkers, 0);
  auto key = [](int w, int j) {
    char k[32];
    snprintf(k, sizeof k, "w%d/%06d", w, j);
    return std::string(k);
  };
  std::vector<std::thread> ts;
  for (int w = 0; w < kWorkers; w++) {
    ts.emplace_back([&, w] {
      for (int j = 0; !stop; j++) {
        Status st = s->txn([&](KvTxn& t) -> Status {
          if (j > 0) {
            ASSIGN_OR_RETURN(auto prev, t.get(key(w, j - 1)));
            if (prev != std::to_string(j - 1)) return Status::IOError("chain broken at " + key(w, j - 1));
          }
          t.put(key(w, j), std::to_string(j));
          return Status::OK();
        });
        if (!st.ok()) {
          errors++;
          std::lock_guard l(mu);
          if (firstError.empty()) firstError = st.ToString();
          return;
        }
        done[w] = j + 1;
        if (restarted) afterRestart++;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Status rs = testing::RestartEngineServer(GetParam());
  restarted = true;
  ASSERT_TRUE(rs.ok()) << rs.ToString();
  // Let the workers reconnect and make progress again.
  for (int i = 0; i < 300 && afterRestart < 20 && errors == 0; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  for (auto& t : ts) t.join();
  EXPECT_EQ(errors.load(), 0) << firstError;
  EXPECT_GE(afterRestart.load(), 20) << "no progress after the restart";
  for (int w = 0; w < kWorkers; w++) {
    std::vector<KeyValue> rows;
    ASSERT_TRUE(s->readOnly([&](KvTxn& t) -> Status {
                   ASSIGN_OR_RETURN(rows, t.scan(key(w, 0), key(w + 1, 0).substr(0, 2), 0));
                   return Status::OK();
                 }).ok());
    ASSERT_EQ(rows.size(), static_cast<size_t>(done[w])) << "worker " << w;
    for (int j = 0; j < done[w]; j++) ASSERT_EQ(rows[j], (KeyValue{key(w, j), std::to_string(j)}));
  }
}

INSTANTIATE_TEST_SUITE_P(Servers, KvRecovery, ::testing::Values("redis", "postgres", "etcd"),
                         testing::EngineParamName);

}  // namespace
}  // namespace slicefs

namespace slicefs {
namespace {

// A three-member etcd cluster on loopback keeps the store working when the
// member the client talks to is killed (-9): requests fail over to the
// others and nothing is lost.
TEST(EtcdCluster, SurvivesOneMemberKilled) {
  testing::TempDir tmp("slicefs-etcd3");
  std::string dir = tmp / "cluster";
  auto url = testing::StartServerScript("etcd", dir, "3");
  if (!url && url.error().is(ENOTSUP)) SKIP_OR_FAIL(url.error().ToString());
  ASSERT_TRUE(url.has_value()) << url.error().ToString();
  struct Stop {
    std::string d;
    ~Stop() {
      std::ofstream(d + "/stopsig") << "KILL";  // a graceful stop of a cluster waits for elections
      (void)testing::StopServerScript(d);
    }
  } stopper{dir};
  auto opened = OpenKvStore(*url);
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  KvStore& s = **opened;

  std::atomic<bool> stop{false}, killed{false};
  std::atomic<int> errors{0}, afterKill{0}, done{0};
  std::string firstError;
  std::mutex mu;
  auto key = [](int j) {
    char k[32];
    snprintf(k, sizeof k, "c/%06d", j);
    return std::string(k);
  };
  std::thread worker([&] {
    for (int j = 0; !stop; j++) {
      Status st = s.txn([&](KvTxn& t) -> Status {
        if (j > 0) {
          ASSIGN_OR_RETURN(auto prev, t.get(key(j - 1)));
          if (!prev) return Status::IOError("lost " + key(j - 1));
        }
        t.put(key(j), "x");
        return Status::OK();
      });
      if (!st.ok()) {
        errors++;
        std::lock_guard l(mu);
        firstError = st.ToString();
        return;
      }
      done = j + 1;
      if (killed) afterKill++;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  {
    std::ofstream(dir + "/n1/stopsig") << "KILL";
  }
  ASSERT_TRUE(testing::StopServerScript(dir + "/n1").ok());
  killed = true;
  for (int i = 0; i < 300 && afterKill < 20 && errors == 0; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  worker.join();
  EXPECT_EQ(errors.load(), 0) << firstError;
  EXPECT_GE(afterKill.load(), 20) << "no progress after killing a member";
  std::vector<KeyValue> rows;
  ASSERT_TRUE(s.readOnly([&](KvTxn& t) -> Status {
                 ASSIGN_OR_RETURN(rows, t.scan("c/", "c0", 0));
                 return Status::OK();
               }).ok());
  EXPECT_EQ(rows.size(), static_cast<size_t>(done.load()));
}

}  // namespace
}  // namespace slicefs
