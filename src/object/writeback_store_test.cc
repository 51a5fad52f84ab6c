// WritebackStore: staging, local reads, upload, delete-before-upload,
// leftovers of an earlier process, retries while the store is down, and
// back-pressure.
#include "object/writeback_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "object/mem_store.h"
#include "support/test_util.h"

namespace slicefs {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// A borrowed MemStore that counts puts and can refuse them (store "down").
class Flaky : public ObjectStoreWrapper {
 public:
  explicit Flaky(ObjectStore* inner) : ObjectStoreWrapper(inner) {}
  Status put(const std::string& k, std::span<const char> d) override {
    if (down) return Status::Retryable(ECONNREFUSED, "store down");
    puts++;
    return ObjectStoreWrapper::put(k, d);
  }
  std::atomic<bool> down{false};
  std::atomic<int> puts{0};
};

WritebackOptions Delayed(std::chrono::milliseconds d) {
  WritebackOptions o;
  o.uploadDelay = d;
  return o;
}
WritebackOptions Limited(uint64_t bytes) {
  WritebackOptions o;
  o.limitBytes = bytes;
  return o;
}

struct Fixture {
  TempDir tmp;
  MemStore bucket;
  Flaky* flaky = nullptr;
  std::unique_ptr<WritebackStore> Open(WritebackOptions o) {
    auto f = std::make_unique<Flaky>(&bucket);
    flaky = f.get();
    o.dir = tmp.path() + "/wb";
    o.retryMin = 5ms;
    o.retryMax = 20ms;
    auto s = WritebackStore::Open(std::move(f), o);
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    return std::move(*s);
  }
};

TEST(WritebackStore, StagesServesLocallyAndUploadsOnDrain) {
  Fixture fx;
  auto wb = fx.Open(Delayed(1h));
  ASSERT_TRUE(wb->put("vol/chunks/0/0/7_0_5", std::string_view("hello")).ok());
  EXPECT_TRUE(std::filesystem::exists(wb->dir() + "/vol/chunks/0/0/7_0_5"));
  EXPECT_FALSE(fx.bucket.get("vol/chunks/0/0/7_0_5").has_value());  // not uploaded yet (delay)
  auto got = wb->get("vol/chunks/0/0/7_0_5", 1, 3);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "ell");
  auto h = wb->head("vol/chunks/0/0/7_0_5");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->size, 5u);
  EXPECT_EQ(wb->Stats().pendingBlocks, 1u);
  ASSERT_TRUE(wb->Drain(10s).ok());
  EXPECT_EQ(*fx.bucket.get("vol/chunks/0/0/7_0_5"), "hello");
  EXPECT_FALSE(std::filesystem::exists(wb->dir() + "/vol/chunks/0/0/7_0_5"));  // removed after the upload
  EXPECT_EQ(wb->Stats().pendingBlocks, 0u);
  EXPECT_EQ(*wb->get("vol/chunks/0/0/7_0_5"), "hello");  // now from the bucket
}

TEST(WritebackStore, DeleteBeforeUploadNeverUploads) {
  Fixture fx;
  auto wb = fx.Open(Delayed(1h));
  ASSERT_TRUE(wb->put("vol/chunks/0/0/8_0_3", std::string_view("abc")).ok());
  ASSERT_TRUE(wb->del("vol/chunks/0/0/8_0_3").ok());
  EXPECT_FALSE(wb->get("vol/chunks/0/0/8_0_3").has_value());
  ASSERT_TRUE(wb->Drain(10s).ok());
  EXPECT_EQ(fx.flaky->puts.load(), 0);
  EXPECT_EQ(wb->Stats().droppedUnuploaded, 1u);
  EXPECT_FALSE(std::filesystem::exists(wb->dir() + "/vol/chunks/0/0/8_0_3"));
}

TEST(WritebackStore, LeftoversOfAnEarlierProcessUploadFirst) {
  Fixture fx;
  {
    auto wb = fx.Open(Delayed(1h));
    for (int i = 0; i < 5; i++) {
      ASSERT_TRUE(wb->put("vol/chunks/0/0/" + std::to_string(i) + "_0_1", std::string_view("x")).ok());
    }
    // A temporary file of a put that never returned must not be uploaded.
    std::FILE* f = std::fopen((wb->dir() + "/.tmp/999-0").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("partial", f);
    std::fclose(f);
  }  // destroyed without Drain, as a killed process would leave it
  EXPECT_EQ(fx.bucket.get("vol/chunks/0/0/0_0_1").has_value(), false);
  auto wb = fx.Open(Delayed(1h));  // the delay does not apply to leftovers
  EXPECT_EQ(wb->Stats().leftovers, 5u);
  ASSERT_TRUE(wb->WaitForLeftovers(10s).ok());
  for (int i = 0; i < 5; i++) EXPECT_EQ(*fx.bucket.get("vol/chunks/0/0/" + std::to_string(i) + "_0_1"), "x");
  EXPECT_FALSE(std::filesystem::exists(wb->dir() + "/.tmp/999-0"));
  EXPECT_EQ(fx.flaky->puts.load(), 5);
}

TEST(WritebackStore, RetriesWhileTheStoreIsDownAndKeepsTheBlock) {
  Fixture fx;
  auto wb = fx.Open({});
  fx.flaky->down = true;
  ASSERT_TRUE(wb->put("vol/chunks/0/0/9_0_4", std::string_view("data")).ok());
  EXPECT_EQ(wb->Drain(300ms).code(), ETIMEDOUT);
  EXPECT_GT(wb->Stats().uploadErrors, 0u);
  EXPECT_TRUE(std::filesystem::exists(wb->dir() + "/vol/chunks/0/0/9_0_4"));
  EXPECT_EQ(*wb->get("vol/chunks/0/0/9_0_4"), "data");
  fx.flaky->down = false;
  ASSERT_TRUE(wb->Drain(10s).ok());
  EXPECT_EQ(*fx.bucket.get("vol/chunks/0/0/9_0_4"), "data");
}

TEST(WritebackStore, PutWaitsWhileTheStagingAreaIsFull) {
  Fixture fx;
  auto wb = fx.Open(Limited(10));
  fx.flaky->down = true;
  ASSERT_TRUE(wb->put("vol/chunks/0/0/1_0_8", std::string_view("12345678")).ok());
  auto second = std::async(std::launch::async, [&] { return wb->put("vol/chunks/0/0/2_0_8", std::string_view("abcdefgh")); });
  // Cannot complete while the first block occupies the area.
  EXPECT_EQ(second.wait_for(200ms), std::future_status::timeout);
  EXPECT_EQ(wb->Stats().pendingBlocks, 1u);
  fx.flaky->down = false;
  ASSERT_EQ(second.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(second.get().ok());
  ASSERT_TRUE(wb->Drain(10s).ok());
  EXPECT_EQ(*fx.bucket.get("vol/chunks/0/0/2_0_8"), "abcdefgh");
}

TEST(WritebackStore, ADeleteDuringTheUploadDeletesAfterIt) {
  Fixture fx;
  auto wb = fx.Open({});
  fx.flaky->down = true;  // the worker keeps retrying: the item is (re)scheduled or in flight
  ASSERT_TRUE(wb->put("vol/chunks/0/0/3_0_1", std::string_view("z")).ok());
  ASSERT_TRUE(wb->del("vol/chunks/0/0/3_0_1").ok());
  fx.flaky->down = false;
  ASSERT_TRUE(wb->Drain(10s).ok());
  EXPECT_FALSE(fx.bucket.get("vol/chunks/0/0/3_0_1").has_value());
  EXPECT_FALSE(std::filesystem::exists(wb->dir() + "/vol/chunks/0/0/3_0_1"));
}

TEST(WritebackStore, UnsafeKeysPassThrough) {
  Fixture fx;
  auto wb = fx.Open(Delayed(1h));
  ASSERT_TRUE(wb->put("vol/../x", std::string_view("q")).ok());  // MemStore accepts any key
  EXPECT_EQ(fx.flaky->puts.load(), 1);
  EXPECT_EQ(wb->Stats().pendingBlocks, 0u);
}

}  // namespace
}  // namespace slicefs
