// IdAllocator: unique ids under concurrency, across allocators of one
// counter, and no caller waits for a reservation while ids remain.
#include "meta/id_allocator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "kv/mem_kv.h"

namespace slicefs {
namespace {

// A KvStore whose read-write transactions can be held at a gate.
class GatedKv : public KvStore {
 public:
  explicit GatedKv(std::unique_ptr<KvStore> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return "gated"; }
  Status txn(const std::function<Status(KvTxn&)>& fn) override {
    txns++;
    if (gated) {
      entered = true;
      while (gated) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return inner_->txn(fn);
  }
  Status readOnly(const std::function<Status(KvTxn&)>& fn) override { return inner_->readOnly(fn); }
  Status dropAll() override { return inner_->dropAll(); }
  std::atomic<bool> gated{false}, entered{false};
  std::atomic<int> txns{0};

 private:
  std::unique_ptr<KvStore> inner_;
};

TEST(IdAllocator, UniqueAcrossThreadsAndAllocators) {
  auto kv = NewMemKvStore("");
  IdAllocator a(*kv, "Cnext", 2, 16), b(*kv, "Cnext", 2, 16);
  std::mutex mu;
  std::set<uint64_t> seen;
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; t++) {
    ts.emplace_back([&, t] {
      IdAllocator& al = t % 2 ? a : b;
      for (int i = 0; i < 500; i++) {
        auto id = al.Next();
        ASSERT_TRUE(id.has_value());
        std::lock_guard lk(mu);
        EXPECT_TRUE(seen.insert(*id).second) << "duplicate id " << *id;
        EXPECT_GE(*id, 2u);
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(seen.size(), 4000u);
}

TEST(IdAllocator, NoWaitForAReservationWhileIdsRemain) {
  GatedKv kv(NewMemKvStore(""));
  IdAllocator al(kv, "Cnext", 1, 100);
  ASSERT_EQ(*al.Next(), 1u);  // first batch: 1..100
  // Hold the next reservation at the gate: the caller that crosses the
  // low-water mark (a quarter of a batch left) blocks inside it.
  kv.gated = true;
  std::atomic<uint64_t> taken{1};
  auto reserver = std::async(std::launch::async, [&] {
    while (!kv.entered) {
      ASSERT_TRUE(al.Next().has_value());
      taken++;
    }
  });
  for (int i = 0; i < 5000 && !kv.entered; i++) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(kv.entered) << "no reservation was started";
  EXPECT_GE(taken.load(), 70u);  // not before three quarters of the batch
  // Meanwhile other callers are served at once from what is left.
  auto other = std::async(std::launch::async, [&] {
    std::vector<uint64_t> got;
    for (int i = 0; i < 20; i++) got.push_back(*al.Next());
    return got;
  });
  const bool served = other.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  kv.gated = false;
  reserver.get();
  ASSERT_TRUE(served) << "a caller waited for the reservation although ids were left";
  auto got = other.get();
  for (uint64_t id : got) EXPECT_LE(id, 100u);
  EXPECT_EQ(kv.txns.load(), 2);  // one reservation per batch
  // The next batch continues after the first one.
  uint64_t last = 0;
  for (int i = 0; i < 100; i++) last = *al.Next();
  EXPECT_GT(last, 100u);
  EXPECT_LE(last, 200u);
}

}  // namespace
}  // namespace slicefs
