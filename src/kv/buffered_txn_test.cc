// The shared transaction plumbing (buffered_txn.h, txn_store.h) against a
// fake engine: read-only misuse, first-error recording, when commit runs,
// and the pooled attempt's connection handling.
#include "kv/buffered_txn.h"

#include <gtest/gtest.h>

#include <map>

#include "kv/txn_store.h"
#include "support/assert.h"

namespace slicefs {
namespace {

// An engine over a map whose reads can be made to fail.
struct FakeEngine {
  std::map<std::string, std::string, std::less<>> rows;
  std::vector<Status> readErrors;  // returned by the next reads, in order
  int fetches = 0;
  int commits = 0;
  std::map<std::string, std::optional<std::string>> committed;
};

class FakeTxn : public BufferedTxn {
 public:
  FakeTxn(FakeEngine& e, bool readOnly) : BufferedTxn("fake", readOnly), e_(e) {}

 private:
  Status nextError() {
    if (e_.readErrors.empty()) return Status::OK();
    Status st = e_.readErrors.front();
    e_.readErrors.erase(e_.readErrors.begin());
    return st;
  }
  Result<std::optional<std::string>> fetchOne(std::string_view key) override {
    e_.fetches++;
    RETURN_IF_ERROR(nextError());
    auto it = e_.rows.find(key);
    return it == e_.rows.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  Result<std::vector<KeyValue>> fetchRange(std::string_view b, std::string_view e, size_t lim) override {
    e_.fetches++;
    RETURN_IF_ERROR(nextError());
    std::vector<KeyValue> out;
    for (auto it = e_.rows.lower_bound(b); it != e_.rows.end() && (e.empty() || it->first < e); ++it) {
      if (lim && out.size() >= lim) break;
      out.push_back({it->first, it->second});
    }
    return out;
  }
  Status commit() override {
    e_.commits++;
    for (const auto& [k, v] : writes().entries()) e_.committed[k] = v;
    return Status::OK();
  }
  FakeEngine& e_;
};

// Runs fn in a read-write transaction whose next engine reads fail with `errors`.
Status RunWithReadErrors(FakeEngine& e, std::vector<Status> errors, const TxnFn& fn) {
  e.readErrors = std::move(errors);
  FakeTxn t(e, false);
  return t.run(fn);
}

TEST(BufferedTxn, ReadOnlyPutIsFinalEinvalWhateverFnReturns) {
  for (Status fnStatus : {Status::OK(), Status::Conflict("test"), Status::Error(ENOENT, "test")}) {
    FakeEngine e;
    FakeTxn t(e, true);
    Status st = t.run([&](KvTxn& kt) {
      kt.put("a", "1");
      kt.del("b");
      return fnStatus;
    });
    EXPECT_ERRNO(st, EINVAL);
    EXPECT_FALSE(st.retryable()) << st.ToString();
    EXPECT_EQ(st.message(), "fake: put inside a read-only transaction");  // the first misuse is named
    EXPECT_EQ(e.commits, 0);
    EXPECT_TRUE(t.writes().empty());
  }
}

TEST(BufferedTxn, ReadOnlyDeleteIsNamed) {
  FakeEngine e;
  FakeTxn t(e, true);
  Status st = t.run([](KvTxn& kt) {
    kt.del("b");
    return Status::OK();
  });
  EXPECT_EQ(st.message(), "fake: delete inside a read-only transaction");
}

TEST(BufferedTxn, SwallowedReadErrorFailsTheAttempt) {
  FakeEngine e;
  Status st = RunWithReadErrors(e, {Status::IOError("fake: disk error")}, [](KvTxn& kt) {
    (void)kt.get("a");  // fn ignores the failure...
    kt.put("a", "1");
    return Status::OK();  // ...and asks to commit
  });
  EXPECT_ERRNO(st, EIO);
  EXPECT_EQ(st.message(), "fake: disk error");
  EXPECT_EQ(e.commits, 0);
}

TEST(BufferedTxn, FirstEngineErrorIsKept) {
  FakeEngine e;
  std::vector<Status> errors = {Status::Retryable(EIO, "fake: first"), Status::IOError("fake: second")};
  Status st = RunWithReadErrors(e, errors, [](KvTxn& kt) {
    (void)kt.scan("a", "z", 0);
    (void)kt.gets(std::vector<std::string>{"x", "y"});
    return Status::OK();
  });
  EXPECT_EQ(st.message(), "fake: first");
  EXPECT_TRUE(st.retryable());
}

TEST(BufferedTxn, RetryableEngineErrorWinsOverFnError) {
  // fn turned a lost connection into its own final error: the attempt must
  // still be retried.
  FakeEngine e;
  Status st = RunWithReadErrors(e, {Status::Retryable(EIO, "fake: connection lost")}, [](KvTxn& kt) -> Status {
    auto v = kt.get("a");
    if (!v) return Status::NotFound("no a");
    return Status::OK();
  });
  EXPECT_TRUE(st.retryable()) << st.ToString();
  EXPECT_EQ(st.message(), "fake: connection lost");
}

TEST(BufferedTxn, FnFinalErrorWinsOverFinalEngineError) {
  FakeEngine e;
  Status st = RunWithReadErrors(e, {Status::IOError("fake: bad row")}, [](KvTxn& kt) {
    (void)kt.get("a");
    return Status::Error(ENOSPC, "fn: full");
  });
  EXPECT_ERRNO(st, ENOSPC);
}

TEST(BufferedTxn, CommitsBufferedWritesOnceAndReadsThem) {
  FakeEngine e;
  e.rows = {{"a", "old"}, {"b", "keep"}, {"c", "gone"}};
  FakeTxn t(e, false);
  Status st = t.run([&](KvTxn& kt) -> Status {
    kt.put("a", "new");
    kt.del("c");
    int before = e.fetches;
    EXPECT_EQ(kt.get("a").value(), "new");  // buffered: no engine read
    EXPECT_EQ(kt.get("c").value(), std::nullopt);
    EXPECT_EQ(e.fetches, before);
    auto rows = kt.scan("", "", 0);
    EXPECT_TRUE(rows.has_value());
    EXPECT_EQ(*rows, (std::vector<KeyValue>{{"a", "new"}, {"b", "keep"}}));
    EXPECT_EQ(kt.scan("b", "a", 0).value(), std::vector<KeyValue>{});  // empty range
    return Status::OK();
  });
  ASSERT_OK(st);
  EXPECT_EQ(e.commits, 1);
  EXPECT_EQ(e.committed, (std::map<std::string, std::optional<std::string>>{{"a", "new"}, {"c", std::nullopt}}));
}

TEST(BufferedTxn, FnErrorDoesNotCommit) {
  FakeEngine e;
  FakeTxn t(e, false);
  Status st = t.run([](KvTxn& kt) {
    kt.put("a", "1");
    return Status::Conflict("fn: retry me");
  });
  EXPECT_TRUE(st.conflict());
  EXPECT_EQ(e.commits, 0);
}

// PooledKvStore: begin failures and broken connections.
struct FakeConn {
  int id = 0;
  bool broken_ = false;
  bool broken() const { return broken_; }
};

class FakePooledStore : public PooledKvStore<FakeConn> {
 public:
  FakePooledStore() : PooledKvStore("fake", [this] { return std::make_unique<FakeConn>(FakeConn{++made, false}); }) {}
  Status dropAll() override { return Status::OK(); }

  FakeEngine engine;
  int made = 0;
  int aborts = 0;
  std::vector<int> begunOn;      // connection ids, one per begin
  std::vector<Status> beginErrors;  // returned by the next begins (the connection then breaks)

 private:
  Result<std::unique_ptr<BufferedTxn>> begin(FakeConn& c, bool readOnly) override {
    begunOn.push_back(c.id);
    if (!beginErrors.empty()) {
      Status st = beginErrors.front();
      beginErrors.erase(beginErrors.begin());
      c.broken_ = true;
      return Err(st);
    }
    return std::make_unique<FakeTxn>(engine, readOnly);
  }
  void abort(FakeConn&) override { aborts++; }
};

TEST(PooledKvStore, BrokenConnectionIsDroppedAndTheAttemptRetried) {
  FakePooledStore s;
  s.beginErrors = {Status::Retryable(EIO, "fake: connection reset")};
  Status st = s.txn([](KvTxn& t) {
    t.put("k", "v");
    return Status::OK();
  });
  ASSERT_OK(st);
  EXPECT_EQ(s.begunOn, (std::vector<int>{1, 2}));  // the broken connection 1 was not reused
  EXPECT_EQ(s.aborts, 1);
  EXPECT_EQ(s.engine.committed.at("k"), "v");
  // A healthy connection goes back to the pool and is reused.
  ASSERT_OK(s.readOnly([](KvTxn&) { return Status::OK(); }));
  EXPECT_EQ(s.begunOn.back(), 2);
  EXPECT_EQ(s.made, 2);
}

TEST(PooledKvStore, ReadOnlyMisuseRunsFnOnceAndAborts) {
  FakePooledStore s;
  int calls = 0;
  Status st = s.readOnly([&](KvTxn& t) {
    calls++;
    t.put("k", "v");
    return Status::Conflict("fn: would retry");
  });
  EXPECT_ERRNO(st, EINVAL);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.aborts, 1);
  EXPECT_EQ(s.engine.commits, 0);
  EXPECT_EQ(s.name(), "fake");
}

}  // namespace
}  // namespace slicefs
