// One conformance suite for every KV engine (tests/support/engines.h): the
// same bodies run against mem, sqlite3 and each server engine.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "common/encoding.h"
#include "support/engines.h"

namespace slicefs {
namespace {

using testing::EngineNames;
using testing::EngineParamName;

class KvConformance : public ::testing::TestWithParam<std::string> {};

Status Put(KvStore& s, std::string k, std::string v) {
  return s.txn([&](KvTxn& t) {
    t.put(k, v);
    return Status::OK();
  });
}

std::optional<std::string> Get(KvStore& s, const std::string& k) {
  std::optional<std::string> out;
  Status st = s.readOnly([&](KvTxn& t) -> Status {
    ASSIGN_OR_RETURN(out, t.get(k));
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::vector<KeyValue> Scan(KvStore& s, const std::string& b, const std::string& e, size_t limit = 0) {
  std::vector<KeyValue> out;
  Status st = s.readOnly([&](KvTxn& t) -> Status {
    ASSIGN_OR_RETURN(out, t.scan(b, e, limit));
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::vector<std::string> Keys(const std::vector<KeyValue>& kvs) {
  std::vector<std::string> out;
  for (const auto& kv : kvs) out.push_back(kv.key);
  return out;
}

// Read-modify-write of a decimal counter.
Status Increment(KvStore& s, const std::string& key) {
  return s.txn([&](KvTxn& t) -> Status {
    ASSIGN_OR_RETURN(auto v, t.get(key));
    long n = v ? std::stol(*v) : 0;
    t.put(key, std::to_string(n + 1));
    return Status::OK();
  });
}

TEST_P(KvConformance, PutGetDelete) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  EXPECT_EQ(s->name(), GetParam());
  EXPECT_EQ(Get(*s, "a"), std::nullopt);
  ASSERT_TRUE(Put(*s, "a", "1").ok());
  ASSERT_TRUE(Put(*s, "b", "").ok());
  EXPECT_EQ(Get(*s, "a"), "1");
  EXPECT_EQ(Get(*s, "b"), std::optional<std::string>(""));  // empty value is not absence
  ASSERT_TRUE(Put(*s, "a", "2").ok());
  EXPECT_EQ(Get(*s, "a"), "2");
  ASSERT_TRUE(s->txn([](KvTxn& t) {
                 t.del("a");
                 t.del("never-existed");
                 return Status::OK();
               }).ok());
  EXPECT_EQ(Get(*s, "a"), std::nullopt);
  EXPECT_EQ(Get(*s, "b"), std::optional<std::string>(""));
}

TEST_P(KvConformance, GetsKeepsOrderAndMissing) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  ASSERT_TRUE(s->txn([](KvTxn& t) {
                 t.put("k1", "v1");
                 t.put("k3", "v3");
                 return Status::OK();
               }).ok());
  std::vector<std::optional<std::string>> got;
  std::vector<std::string> keys = {"k3", "k2", "k1", "k3"};
  ASSERT_TRUE(s->readOnly([&](KvTxn& t) -> Status {
                 ASSIGN_OR_RETURN(got, t.gets(keys));
                 return Status::OK();
               }).ok());
  std::vector<std::optional<std::string>> want = {"v3", std::nullopt, "v1", "v3"};
  EXPECT_EQ(got, want);
  ASSERT_TRUE(s->readOnly([&](KvTxn& t) -> Status {
                 ASSIGN_OR_RETURN(got, t.gets({}));
                 return Status::OK();
               }).ok());
  EXPECT_TRUE(got.empty());
}

TEST_P(KvConformance, ScanRangeLimitAndResume) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  ASSERT_TRUE(s->txn([](KvTxn& t) {
                 for (int i = 0; i < 25; i++) {
                   char k[16];
                   snprintf(k, sizeof k, "d%02d", i);
                   t.put(k, std::string("v") + k);
                 }
                 t.put("c", "before");
                 t.put("e", "after");
                 return Status::OK();
               }).ok());
  auto all = Scan(*s, "d", "e");
  ASSERT_EQ(all.size(), 25u);
  EXPECT_EQ(all.front(), (KeyValue{"d00", "vd00"}));
  EXPECT_EQ(all.back(), (KeyValue{"d24", "vd24"}));
  // [begin, end): begin included, end excluded.
  EXPECT_EQ(Keys(Scan(*s, "d03", "d06")), (std::vector<std::string>{"d03", "d04", "d05"}));
  EXPECT_TRUE(Scan(*s, "d06", "d03").empty());
  EXPECT_TRUE(Scan(*s, "d05", "d05").empty());
  // Limit and resume with last key + '\0' covers everything exactly once.
  std::vector<std::string> seen;
  std::string from = "d";
  int pages = 0;
  while (true) {
    auto page = Scan(*s, from, "e", 7);
    ASSERT_LE(page.size(), 7u);
    for (auto& kv : page) seen.push_back(kv.key);
    pages++;
    if (page.size() < 7) break;
    from = page.back().key + std::string(1, '\0');
  }
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(seen, Keys(all));
  // Empty end = unbounded.
  auto tail = Scan(*s, "d20", "");
  EXPECT_EQ(Keys(tail), (std::vector<std::string>{"d20", "d21", "d22", "d23", "d24", "e"}));
  EXPECT_EQ(Keys(Scan(*s, "", "", 2)), (std::vector<std::string>{"c", "d00"}));
}

TEST_P(KvConformance, BinaryKeysSortBytewise) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  const std::string z(1, '\0');
  const std::string ff(1, '\xff');
  std::vector<std::string> keys = {"a" + z, "a", "a" + z + z, "a" + ff, ff, ff + ff, "b" + z + "c", z + "x", "\x7f",
                                   "\x80"};
  std::string bigValue(100000, '\0');
  for (size_t i = 0; i < bigValue.size(); i++) bigValue[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(s->txn([&](KvTxn& t) {
                 for (auto& k : keys) t.put(k, k + z + ff);
                 t.put("big", bigValue);
                 return Status::OK();
               }).ok());
  keys.push_back("big");
  std::sort(keys.begin(), keys.end());  // std::string compares as unsigned bytes
  auto rows = Scan(*s, "", "");
  ASSERT_EQ(Keys(rows), keys);
  for (auto& kv : rows) {
    if (kv.key == "big") EXPECT_EQ(kv.value, bigValue);
    else EXPECT_EQ(kv.value, kv.key + z + ff);
  }
  EXPECT_EQ(Get(*s, "a" + z), "a" + z + z + ff);
  // Ranges bounded by binary keys.
  EXPECT_EQ(Keys(Scan(*s, "a" + z, "a" + ff)), (std::vector<std::string>{"a" + z, "a" + z + z}));
  EXPECT_EQ(Keys(Scan(*s, ff, "")), (std::vector<std::string>{ff, ff + ff}));
}

TEST_P(KvConformance, ReadYourWrites) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  ASSERT_TRUE(s->txn([](KvTxn& t) {
                 for (const char* k : {"p1", "p2", "p3", "p4", "p5", "p6"}) t.put(k, "old");
                 return Status::OK();
               }).ok());
  Status st = s->txn([](KvTxn& t) -> Status {
    t.put("p2", "new");
    t.del("p3");
    t.del("p4");
    t.del("p5");
    t.put("p35", "ins");
    t.put("p0", "first");
    t.put("q", "out of range");
    ASSIGN_OR_RETURN(auto v, t.get("p2"));
    if (v != "new") return Status::IOError("get missed buffered put");
    ASSIGN_OR_RETURN(v, t.get("p3"));
    if (v) return Status::IOError("get missed buffered delete");
    std::vector<std::string> ks = {"p3", "p2", "p35", "p1"};
    ASSIGN_OR_RETURN(auto vs, t.gets(ks));
    std::vector<std::optional<std::string>> want = {std::nullopt, "new", "ins", "old"};
    if (vs != want) return Status::IOError("gets missed buffered writes");
    ASSIGN_OR_RETURN(auto rows, t.scan("p", "q", 0));
    std::vector<KeyValue> wantRows = {{"p0", "first"}, {"p1", "old"}, {"p2", "new"}, {"p35", "ins"}, {"p6", "old"}};
    if (rows != wantRows) return Status::IOError("scan missed buffered writes");
    // Limits must count visible rows only: deletes thin out engine pages.
    ASSIGN_OR_RETURN(rows, t.scan("p2", "q", 2));
    wantRows = {{"p2", "new"}, {"p35", "ins"}};
    if (rows != wantRows) return Status::IOError("limited scan wrong (1)");
    ASSIGN_OR_RETURN(rows, t.scan(std::string("p35") + '\0', "q", 1));
    wantRows = {{"p6", "old"}};
    if (rows != wantRows) return Status::IOError("limited scan wrong (2)");
    ASSIGN_OR_RETURN(rows, t.scan("p", "", 0));
    if (rows.size() != 6 || rows.back().key != "q") return Status::IOError("unbounded scan wrong");
    // Overwrite then delete then put again.
    t.put("p6", "x");
    t.del("p6");
    ASSIGN_OR_RETURN(v, t.get("p6"));
    if (v) return Status::IOError("delete after put not seen");
    t.put("p6", "y");
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto rows = Scan(*s, "", "");
  std::vector<KeyValue> want = {{"p0", "first"}, {"p1", "old"}, {"p2", "new"}, {"p35", "ins"}, {"p6", "y"},
                                {"q", "out of range"}};
  EXPECT_EQ(rows, want);
}

TEST_P(KvConformance, ErrorRollsBack) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  ASSERT_TRUE(Put(*s, "keep", "1").ok());
  int calls = 0;
  Status st = s->txn([&](KvTxn& t) -> Status {
    calls++;
    t.put("keep", "2");
    t.put("new", "x");
    t.del("keep");
    return Status::Error(ENOSPC, "out of space (test)");
  });
  EXPECT_TRUE(st.is(ENOSPC)) << st.ToString();
  EXPECT_EQ(calls, 1);  // a final error is not retried
  EXPECT_EQ(Get(*s, "keep"), "1");
  EXPECT_EQ(Get(*s, "new"), std::nullopt);
}

TEST_P(KvConformance, ConflictFromFnIsRetried) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  int calls = 0;
  Status st = s->txn([&](KvTxn& t) -> Status {
    calls++;
    t.put("attempt", std::to_string(calls));
    if (calls < 3) return Status::Conflict("test conflict");
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(Get(*s, "attempt"), "3");
}

TEST_P(KvConformance, ReadOnlyRejectsWrites) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  ASSERT_TRUE(Put(*s, "r", "1").ok());
  Status st = s->readOnly([](KvTxn& t) -> Status {
    t.put("r", "2");
    return Status::OK();
  });
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(st.is(EINVAL)) << st.ToString();
  EXPECT_EQ(Get(*s, "r"), "1");
  // A programming error is final: fn runs once even when it asks for a retry.
  int calls = 0;
  st = s->readOnly([&](KvTxn& t) -> Status {
    calls++;
    t.del("r");
    return Status::Conflict("test conflict");
  });
  EXPECT_TRUE(st.is(EINVAL)) << st.ToString();
  EXPECT_FALSE(st.retryable()) << st.ToString();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Get(*s, "r"), "1");
}

TEST_P(KvConformance, DropAllEmptiesOnlyThisStore) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  OPEN_ENGINE_OR_SKIP(other, GetParam());
  ASSERT_TRUE(Put(*other, "x", "other").ok());
  ASSERT_TRUE(s->txn([](KvTxn& t) {
                 for (int i = 0; i < 300; i++) t.put("k" + std::to_string(i), "v");
                 return Status::OK();
               }).ok());
  EXPECT_EQ(Get(*s, "x"), std::nullopt);  // namespaces are separate
  EXPECT_EQ(Scan(*s, "", "").size(), 300u);
  ASSERT_TRUE(s->dropAll().ok());
  EXPECT_TRUE(Scan(*s, "", "").empty());
  EXPECT_EQ(Get(*other, "x"), "other");
  ASSERT_TRUE(Put(*s, "again", "1").ok());  // still usable
  EXPECT_EQ(Get(*s, "again"), "1");
}

// Big batches cross every engine's per-request chunking (postgres 500 rows
// per statement, etcd 100 reads per request).
TEST_P(KvConformance, LargeTransactionsAndBatchReads) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  constexpr int kKeys = 1300;
  auto key = [](int i) {
    char k[32];
    snprintf(k, sizeof k, "big/%05d", i);
    return std::string(k);
  };
  ASSERT_TRUE(s->txn([&](KvTxn& t) {
                 for (int i = 0; i < kKeys; i++) t.put(key(i), "v" + std::to_string(i));
                 return Status::OK();
               }).ok());
  Status st = s->txn([&](KvTxn& t) {
    for (int i = 0; i < kKeys; i += 2) t.del(key(i));
    for (int i = 1; i < kKeys; i += 4) t.put(key(i), "w");
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::vector<std::string> keys;
  for (int i = 0; i < kKeys + 10; i++) keys.push_back(key(i));
  std::vector<std::optional<std::string>> got;
  st = s->readOnly([&](KvTxn& t) -> Status {
    ASSIGN_OR_RETURN(got, t.gets(keys));
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.size(), keys.size());
  for (int i = 0; i < kKeys + 10; i++) {
    std::optional<std::string> want;
    if (i < kKeys && i % 2 == 1) want = (i % 4 == 1) ? "w" : "v" + std::to_string(i);
    ASSERT_EQ(got[i], want) << key(i);
  }
  EXPECT_EQ(Scan(*s, "big/", "big0").size(), static_cast<size_t>(kKeys / 2));
}

TEST_P(KvConformance, ConcurrentIncrementsLoseNothing) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  constexpr int kThreads = 4, kEach = 100;
  std::atomic<int> failures{0};
  std::string firstError;
  std::mutex mu;
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; i++) {
    ts.emplace_back([&] {
      for (int j = 0; j < kEach; j++) {
        Status st = Increment(*s, "counter");
        if (!st.ok()) {
          failures++;
          std::lock_guard l(mu);
          firstError = st.ToString();
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(failures.load(), 0) << firstError;
  EXPECT_EQ(Get(*s, "counter"), std::to_string(kThreads * kEach));
}

// Transfers between accounts: every transaction reads two keys and writes
// both. Readers must always see the same total (atomic, isolated commits).
TEST_P(KvConformance, TransfersKeepTotal) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  constexpr int kAccounts = 5, kThreads = 3, kEach = 40, kStart = 100;
  auto acct = [](int i) { return "acct" + std::to_string(i); };
  ASSERT_TRUE(s->txn([&](KvTxn& t) {
                 for (int i = 0; i < kAccounts; i++) t.put(acct(i), std::to_string(kStart));
                 return Status::OK();
               }).ok());
  uint64_t seed = testing::TestSeed("TransfersKeepTotal");
  std::atomic<bool> stop{false};
  std::atomic<int> badTotals{0}, errors{0};
  std::thread reader([&] {
    while (!stop) {
      long total = 0;
      Status st = s->readOnly([&](KvTxn& t) -> Status {
        total = 0;
        ASSIGN_OR_RETURN(auto rows, t.scan("acct", "acct~", 0));
        for (auto& kv : rows) total += std::stol(kv.value);
        return Status::OK();
      });
      if (!st.ok()) errors++;
      else if (total != kAccounts * kStart) badTotals++;
    }
  });
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; i++) {
    ts.emplace_back([&, i] {
      std::mt19937_64 rng(seed + i);
      for (int j = 0; j < kEach; j++) {
        int a = rng() % kAccounts, b = (a + 1 + rng() % (kAccounts - 1)) % kAccounts;
        int amount = rng() % 20;
        Status st = s->txn([&](KvTxn& t) -> Status {
          std::vector<std::string> ks = {acct(a), acct(b)};
          ASSIGN_OR_RETURN(auto vs, t.gets(ks));
          t.put(acct(a), std::to_string(std::stol(*vs[0]) - amount));
          t.put(acct(b), std::to_string(std::stol(*vs[1]) + amount));
          return Status::OK();
        });
        if (!st.ok()) errors++;
      }
    });
  }
  for (auto& t : ts) t.join();
  stop = true;
  reader.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(badTotals.load(), 0);
  long total = 0;
  for (auto& kv : Scan(*s, "acct", "acct~")) total += std::stol(kv.value);
  EXPECT_EQ(total, kAccounts * kStart);
}

// Each transaction counts the keys under a prefix by scanning and inserts
// the next one: a scan that is not protected against concurrent inserts
// (phantoms) lets two transactions pick the same slot, losing one.
TEST_P(KvConformance, ScanProtectsAgainstPhantoms) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  constexpr int kThreads = 3, kEach = 15;
  std::atomic<int> errors{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; i++) {
    ts.emplace_back([&] {
      for (int j = 0; j < kEach; j++) {
        Status st = s->txn([&](KvTxn& t) -> Status {
          ASSIGN_OR_RETURN(auto rows, t.scan("slot/", "slot0", 0));
          char k[32];
          snprintf(k, sizeof k, "slot/%04zu", rows.size());
          t.put(k, "taken");
          return Status::OK();
        });
        if (!st.ok()) errors++;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(Scan(*s, "slot/", "slot0").size(), static_cast<size_t>(kThreads * kEach));
}

// A deleted key read by a transaction must conflict too (not only changed ones).
TEST_P(KvConformance, DeleteOfReadKeyConflicts) {
  OPEN_ENGINE_OR_SKIP(s, GetParam());
  constexpr int kThreads = 3, kEach = 20;
  // Tokens: each transaction takes the smallest token (reads, deletes it)
  // and records it as consumed under its own name; no token may be taken twice.
  ASSERT_TRUE(s->txn([&](KvTxn& t) {
                 for (int i = 0; i < kThreads * kEach; i++) {
                   char k[32];
                   snprintf(k, sizeof k, "tok/%04d", i);
                   t.put(k, "free");
                 }
                 return Status::OK();
               }).ok());
  std::atomic<int> errors{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; i++) {
    ts.emplace_back([&, i] {
      for (int j = 0; j < kEach; j++) {
        Status st = s->txn([&](KvTxn& t) -> Status {
          ASSIGN_OR_RETURN(auto rows, t.scan("tok/", "tok0", 1));
          if (rows.empty()) return Status::IOError("ran out of tokens");
          t.del(rows[0].key);
          t.put("got/" + rows[0].key, std::to_string(i));
          return Status::OK();
        });
        if (!st.ok()) errors++;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_TRUE(Scan(*s, "tok/", "tok0").empty());
  EXPECT_EQ(Scan(*s, "got/", "got0").size(), static_cast<size_t>(kThreads * kEach));
}

// Several processes opening the same URL increment one counter.
TEST_P(KvConformance, MultiProcessIncrements) {
  if (!testing::EngineIsShared(GetParam())) GTEST_SKIP() << GetParam() << " is in-process only";
  ENGINE_URL_OR_SKIP(url, GetParam());
  {
    auto s = OpenKvStore(url);  // create the database before the children race
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
  }
  constexpr int kProcs = 3, kEach = 150;
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; p++) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto s = OpenKvStore(url);
      if (!s) {
        fprintf(stderr, "child: open: %s\n", s.error().ToString().c_str());
        _exit(2);
      }
      for (int j = 0; j < kEach; j++) {
        Status st = Increment(**s, "counter");
        if (!st.ok()) {
          fprintf(stderr, "child: increment: %s\n", st.ToString().c_str());
          _exit(3);
        }
      }
      s->reset();
      _exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  auto s = OpenKvStore(url);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(Get(**s, "counter"), std::to_string(kProcs * kEach));
}

INSTANTIATE_TEST_SUITE_P(Engines, KvConformance, ::testing::ValuesIn(EngineNames()), EngineParamName);

}  // namespace
}  // namespace slicefs
