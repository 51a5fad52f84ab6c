// KvStore::readStream on every engine: a long paged pass that is not
// failed by concurrent writers (no read-set validation), and that sees one
// snapshot exactly where streamIsSnapshot() says so.
#include <gtest/gtest.h>

#include <thread>

#include "support/engines.h"

namespace slicefs {
namespace {

class KvStream : public ::testing::TestWithParam<std::string> {};

std::string Key(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "k%05d", i);
  return b;
}

TEST_P(KvStream, PagedPassUnderConcurrentWrites) {
  OPEN_ENGINE_OR_SKIP(kv, GetParam());
  constexpr int kN = 600;
  ASSERT_TRUE(kv->txn([&](KvTxn& t) {
                  for (int i = 0; i < kN; i++) t.put(Key(i), "old");
                  return Status::OK();
                }).ok());
  // Another transaction writes while the pass is between pages (not on mem,
  // whose pass holds the store's lock: the writer would wait for it).
  int calls = 0, seenNew = 0, seen = 0;
  bool wrote = false;
  Status st = kv->readStream([&](KvTxn& t) -> Status {
    calls++;
    std::string begin = Key(0);
    for (;;) {
      ASSIGN_OR_RETURN(auto page, t.scan(begin, "", 100));
      for (auto& r : page) {
        seen++;
        seenNew += r.value == "new";
      }
      if (!wrote && GetParam() != "mem") {
        // Change a key already read and one not read yet, from another transaction.
        std::thread w([&] {
          Status ws = kv->txn([&](KvTxn& t2) {
            t2.put(Key(0), "new");
            t2.put(Key(kN - 1), "new");
            return Status::OK();
          });
          EXPECT_TRUE(ws.ok()) << ws.ToString();
        });
        w.join();
        wrote = true;
      }
      if (page.size() < 100) return Status::OK();
      begin = page.back().key + '\0';
    }
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, kN);
  if (GetParam() == "mem") return;
  if (kv->streamIsSnapshot()) {
    EXPECT_EQ(seenNew, 0) << "a snapshot pass saw a later write";
  } else {
    EXPECT_EQ(seenNew, 1) << "redis: the page read after the write sees it";
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, KvStream, ::testing::ValuesIn(testing::EngineNames()), testing::EngineParamName);

}  // namespace
}  // namespace slicefs
