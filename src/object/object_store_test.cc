// Behaviour every ObjectStore backend must share, run against file and mem.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "object/compress_store.h"
#include "object/file_store.h"
#include "object/mem_store.h"
#include "object/metrics_store.h"
#include "object/open_store.h"
#include "object/retry_store.h"
#include "object/s3_store.h"
#include "object/storage_setup.h"
#include "support/s3_server.h"
#include "support/test_util.h"

namespace slicefs {
namespace {

using testing::TempDir;

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "file") {
      store_ = std::make_unique<FileStore>(dir_.path() + "/bucket");
    } else if (GetParam() == "mem") {
      store_ = std::make_unique<MemStore>();
    } else if (GetParam() == "s3") {
      std::string why;
      auto* server = testing::SharedS3Server(&why);
      if (!server) SKIP_OR_FAIL("s3rver unavailable: " + why);
      static std::atomic<int> n{0};
      auto cfg = S3Config::Parse(server->bucketUrl("conf-" + std::to_string(getpid()) + "-" + std::to_string(n++)),
                                 testing::S3Server::kAccessKey, testing::S3Server::kSecretKey);
      ASSERT_TRUE(cfg.has_value()) << cfg.error().ToString();
      store_ = std::make_unique<S3Store>(*cfg);
    } else {
      store_ = std::make_unique<CompressStore>(std::make_unique<FileStore>(dir_.path() + "/bucket"),
                                               GetParam() == "lz4" ? CompressStore::Algo::kLz4
                                                                   : CompressStore::Algo::kZstd);
    }
    ASSERT_TRUE(store_->create().ok());
  }
  // Stores whose keys are flat names (both "v/a" and "v/a/c" can exist).
  bool flatKeys() const { return GetParam() == "mem" || GetParam() == "s3"; }
  TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_P(StoreTest, PutGetRangesHeadDelete) {
  std::string data;
  for (int i = 0; i < 10000; i++) data.push_back(static_cast<char>('a' + i % 26));
  ASSERT_TRUE(store_->put("v/chunks/0/0/1_0_10000", data).ok());
  EXPECT_EQ(*store_->get("v/chunks/0/0/1_0_10000"), data);
  EXPECT_EQ(*store_->get("v/chunks/0/0/1_0_10000", 100, 50), data.substr(100, 50));
  EXPECT_EQ(*store_->get("v/chunks/0/0/1_0_10000", 9990, 50), data.substr(9990));
  EXPECT_EQ(*store_->get("v/chunks/0/0/1_0_10000", 20000, 5), "");
  EXPECT_EQ(*store_->get("v/chunks/0/0/1_0_10000", 5), data.substr(5));
  auto h = store_->head("v/chunks/0/0/1_0_10000");
  ASSERT_TRUE(h.has_value());
  if (GetParam() == "file" || GetParam() == "mem" || GetParam() == "s3") {
    EXPECT_EQ(h->size, 10000u);
  }
  auto missing = store_->get("v/nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ENOENT);
  EXPECT_FALSE(missing.error().retryable());
  EXPECT_EQ(store_->head("v/nope").error().code(), ENOENT);
  EXPECT_EQ(store_->head("v/chunks").error().code(), ENOENT);  // a "directory" is no object
  ASSERT_TRUE(store_->del("v/chunks/0/0/1_0_10000").ok());
  EXPECT_EQ(store_->get("v/chunks/0/0/1_0_10000").error().code(), ENOENT);
  EXPECT_TRUE(store_->del("v/chunks/0/0/1_0_10000").ok());  // deleting twice is fine
  ASSERT_TRUE(store_->put("v/empty", std::string()).ok());
  EXPECT_EQ(*store_->get("v/empty"), "");
}

TEST_P(StoreTest, ListIsSortedPaginatedAndPrefixed) {
  if (GetParam() == "s3") {
    // s3rver keeps objects as files and lists them in directory-walk order
    // ("v/a/c" before "v/a-b"), unlike S3's byte order; its start-after
    // pruning then drops keys. That is a limitation of the test server, not
    // of S3Store; s3 pagination is covered by S3StoreTest.ListPaginates*.
    GTEST_SKIP() << "s3rver does not list in S3 byte order for these keys";
  }
  // Keys chosen so that directory order differs from key order ('-' < '/').
  std::vector<std::string> keys = {"v/a", "v/a-b", "v/a/c", "v/a/d/e", "v/a0", "v/b/x", "w/a", "v/", "va"};
  keys.erase(std::remove(keys.begin(), keys.end(), "v/"), keys.end());
  for (auto& k : keys) {
    if (!flatKeys() && k == "v/a") continue;  // a file store cannot have both v/a and v/a/c
    ASSERT_TRUE(store_->put(k, k).ok()) << k;
  }
  std::vector<std::string> expect;
  for (auto& k : keys) {
    if (k.rfind("v/", 0) == 0 && !(!flatKeys() && k == "v/a")) {
      expect.push_back(k);
    }
  }
  std::sort(expect.begin(), expect.end());
  for (size_t pageSize : {1, 2, 3, 100}) {
    std::vector<std::string> got;
    std::string after;
    for (int guard = 0; guard < 100; guard++) {
      auto page = store_->list("v/", after, pageSize);
      ASSERT_TRUE(page.has_value());
      ASSERT_LE(page->objects.size(), pageSize);
      for (auto& o : page->objects) got.push_back(o.key);
      if (!page->truncated) break;
      after = page->objects.back().key;
    }
    EXPECT_EQ(got, expect) << "page size " << pageSize;
  }
  auto sub = store_->list("v/a/", "", 100);
  ASSERT_EQ(sub->objects.size(), 2u);
  EXPECT_EQ(sub->objects[0].key, "v/a/c");
  auto partial = store_->list("v/a-", "", 100);
  ASSERT_EQ(partial->objects.size(), 1u);
  EXPECT_EQ(partial->objects[0].key, "v/a-b");
  EXPECT_TRUE(store_->list("zzz/", "", 10)->objects.empty());
}

TEST_P(StoreTest, ConcurrentPutsOfDistinctKeys) {
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; t++) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 50; i++) {
        std::string k = "v/chunks/0/0/" + std::to_string(t * 1000 + i) + "_0_3";
        ASSERT_TRUE(store_->put(k, std::string("abc")).ok());
        if (i % 2) {
          ASSERT_TRUE(store_->del(k).ok());
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  size_t n = 0;
  std::string after;
  for (;;) {
    auto page = store_->list("v/chunks/", after, 7);
    n += page->objects.size();
    if (!page->truncated) break;
    after = page->objects.back().key;
  }
  EXPECT_EQ(n, 100u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("file", "mem", "lz4", "zstd", "s3"));

TEST(FileStore, TempFilesAreNeverVisible) {
  TempDir dir;
  FileStore store(dir.path());
  ASSERT_TRUE(store.create().ok());
  // A half-written temporary file (as left by a crash mid-put).
  std::ofstream(dir.path() + "/" + FileStore::kTmpDir + "/123-0-abc") << "half";
  ASSERT_TRUE(store.put("v/k", std::string("whole")).ok());
  auto page = store.list("", "", 100);
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "v/k");
  EXPECT_FALSE(store.put(std::string(FileStore::kTmpDir) + "/x", std::string("y")).ok());
  EXPECT_FALSE(store.put("v/../escape", std::string("y")).ok());
  EXPECT_FALSE(store.put("/abs", std::string("y")).ok());
  // Deleting the last object removes its now-empty directories.
  ASSERT_TRUE(store.del("v/k").ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/v"));
}

RetryPolicy Policy(int attempts) {
  return RetryPolicy{.maxAttempts = attempts,
                     .minBackoff = std::chrono::microseconds(1000),
                     .maxBackoff = std::chrono::microseconds(5000)};
}

TEST(RetryStore, RetriesRetryableErrorsThenSucceeds) {
  MemStore mem;
  std::atomic<int> failures{3};
  mem.SetHook([&](const char* op, const std::string&) {
    if (std::string(op) == "put" && failures.fetch_sub(1) > 0) return Status::Retryable(EIO, "flaky");
    return Status::OK();
  });
  RetryStore r(&mem, Policy(5));
  EXPECT_TRUE(r.put("k", std::string("v")).ok());
  EXPECT_EQ(r.retries(), 3u);
  EXPECT_EQ(*mem.get("k"), "v");
}

TEST(RetryStore, GivesUpAfterMaxAttemptsAndNeverRetriesFinalErrors) {
  MemStore mem;
  std::atomic<int> calls{0};
  mem.SetHook([&](const char* op, const std::string& key) {
    calls++;
    if (key == "final") return Status::Error(EACCES, "denied");
    return Status::Retryable(EIO, "down");
  });
  RetryStore r(&mem, Policy(4));
  Status s = r.put("k", std::string("v"));
  EXPECT_EQ(s.code(), EIO);
  EXPECT_FALSE(s.retryable());  // spent: final, and says so
  EXPECT_NE(s.message().find("gave up after 4 attempts"), std::string::npos) << s.message();
  EXPECT_EQ(calls.load(), 4);
  calls = 0;
  RetryStore once(&mem, Policy(1));  // io-retries=0: exactly one attempt
  EXPECT_TRUE(once.put("k", std::string("v")).retryable());
  EXPECT_EQ(calls.load(), 1);
  calls = 0;
  EXPECT_EQ(r.get("final").error().code(), EACCES);
  EXPECT_EQ(calls.load(), 1);
}

TEST(CompressStore, RoundTripAndCorruption) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); i += 7) data[i] = static_cast<char>(i);
  for (auto algo : {CompressStore::Algo::kLz4, CompressStore::Algo::kZstd}) {
    auto c = CompressStore::Compress(algo, data);
    ASSERT_TRUE(c.has_value());
    EXPECT_LT(c->size(), data.size());
    EXPECT_EQ(*CompressStore::Decompress(*c), data);
    std::string bad = c->substr(0, c->size() / 2);
    auto d = CompressStore::Decompress(bad);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().code(), EIO);
  }
}

TEST(OpenObjectStore, DispatchesByStorageAndRejectsUnknown) {
  TempDir dir;
  VolumeFormat fmt;
  fmt.name = "vol";
  fmt.uuid = "u-1";
  fmt.storage = "file";
  fmt.bucket = dir.path() + "/b";
  auto s = OpenObjectStore(fmt);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ((*s)->describe(), "file://" + dir.path() + "/b");
  fmt.storage = "s3";
  auto s3 = OpenObjectStore(fmt);  // a directory is no S3 endpoint
  ASSERT_FALSE(s3.has_value());
  EXPECT_EQ(s3.error().code(), EINVAL);
  EXPECT_NE(s3.error().message().find("bad S3 bucket URL"), std::string::npos);
  fmt.bucket = "http://127.0.0.1:9/bkt";
  fmt.accessKey = fmt.secretKey = "k";
  auto s3ok = OpenObjectStore(fmt);
  ASSERT_TRUE(s3ok.has_value()) << s3ok.error().ToString();
  EXPECT_EQ((*s3ok)->describe(), "http://127.0.0.1:9/bkt");
  fmt.storage = "ftp";
  EXPECT_EQ(OpenObjectStore(fmt).error().code(), EINVAL);
  fmt.storage = "mem";
  fmt.bucket = "shared-test";
  auto m1 = OpenObjectStore(fmt);
  auto m2 = OpenObjectStore(fmt);
  ASSERT_TRUE((*m1)->put("a", std::string("b")).ok());
  EXPECT_EQ(*(*m2)->get("a"), "b");
  fmt.compression = "brotli";
  EXPECT_EQ(OpenObjectStore(fmt).error().code(), EINVAL);
}

TEST(PrepareStorage, CreatesBucketAndUuidAndRefusesAnotherVolume) {
  TempDir dir;
  VolumeFormat fmt;
  fmt.name = "vol";
  fmt.uuid = "1111-2222";
  fmt.storage = "file";
  fmt.bucket = dir.path() + "/new/bucket";
  fmt.compression = "zstd";
  ASSERT_TRUE(PrepareStorage(fmt).ok());
  std::ifstream in(dir.path() + "/new/bucket/vol/slicefs_uuid");
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got, "1111-2222");  // stored plain even on a compressed volume
  EXPECT_TRUE(PrepareStorage(fmt).ok());  // idempotent
  fmt.uuid = "3333";
  Status st = PrepareStorage(fmt);
  EXPECT_EQ(st.code(), EEXIST);
}

}  // namespace
}  // namespace slicefs

namespace slicefs {
namespace {

TEST(MetricsStore, CountsRequestsBytesAndErrorsExactly) {
  MetricsRegistry reg;
  auto mem = std::make_unique<MemStore>();
  MemStore* raw = mem.get();
  MetricsStore m(std::move(mem), reg);
  for (int i = 0; i < 5; i++) ASSERT_TRUE(m.put("k" + std::to_string(i), std::string(1000, 'x')).ok());
  ASSERT_TRUE(m.get("k1").has_value());
  ASSERT_TRUE(m.get("k2", 10, 100).has_value());
  EXPECT_TRUE(m.get("missing").error().is(ENOENT));  // an answer, not an error
  raw->SetHook([](const char* op, const std::string&) {
    return std::string(op) == "put" ? Status::Error(EACCES, "denied") : Status::OK();
  });
  EXPECT_FALSE(m.put("denied", std::string("y")).ok());
  auto c = [&](const char* name, const char* method) {
    return reg.counter(name, "", {{"method", method}}).value();
  };
  EXPECT_EQ(c("slicefs_object_requests_total", "PUT"), 6u);
  EXPECT_EQ(c("slicefs_object_request_errors_total", "PUT"), 1u);
  EXPECT_EQ(c("slicefs_object_request_bytes_total", "PUT"), 5000u);
  EXPECT_EQ(c("slicefs_object_requests_total", "GET"), 3u);
  EXPECT_EQ(c("slicefs_object_request_errors_total", "GET"), 0u);
  EXPECT_EQ(c("slicefs_object_request_bytes_total", "GET"), 1100u);
  EXPECT_EQ(reg.histogram("slicefs_object_request_duration_seconds", "", {{"method", "PUT"}}).count(), 6u);
}

TEST(MetricsStore, TheVolumeChainRecordsIntoTheGlobalRegistry) {
  TempDir dir;
  VolumeFormat fmt;
  fmt.name = "metricsvol";
  fmt.storage = "file";
  fmt.bucket = dir.path();
  auto s = OpenObjectStore(fmt);
  ASSERT_TRUE(s.has_value());
  Counter& puts = MetricsRegistry::Global().counter("slicefs_object_requests_total", "", {{"method", "PUT"}});
  const uint64_t before = puts.value();
  ASSERT_TRUE((*s)->put("a", std::string("1")).ok());
  ASSERT_TRUE((*s)->put("b", std::string("2")).ok());
  EXPECT_EQ(puts.value() - before, 2u);
  auto quiet = OpenObjectStore(fmt, StoreOptions{.metrics = false});
  ASSERT_TRUE((*quiet)->put("c", std::string("3")).ok());
  EXPECT_EQ(puts.value() - before, 2u);
}

}  // namespace
}  // namespace slicefs
