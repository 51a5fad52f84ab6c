// The S3 backend against a real S3 server (s3rver on loopback).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "object/s3_store.h"
#include "support/s3_server.h"
#include "support/test_util.h"

namespace slicefs {
namespace {

using slicefs::testing::S3Server;
using slicefs::testing::RandomBytes;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::span<const char> Span(const std::string& s) { return {s.data(), s.size()}; }


class S3StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    server_ = slicefs::testing::SharedS3Server(&why);
    if (!server_) SKIP_OR_FAIL("s3rver unavailable: " + why);
    static std::atomic<int> counter{0};
    bucket_ = "t" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    store_ = Open(server_->bucketUrl(bucket_));
    ASSERT_TRUE(store_->create().ok());
  }
  std::unique_ptr<S3Store> Open(const std::string& url, const std::string& ak = S3Server::kAccessKey,
                                const std::string& sk = S3Server::kSecretKey) {
    auto cfg = S3Config::Parse(url, ak, sk);
    EXPECT_TRUE(cfg) << cfg.error().ToString();
    return std::make_unique<S3Store>(*cfg);
  }
  S3Server* server_ = nullptr;
  std::string bucket_;
  std::unique_ptr<S3Store> store_;
};

TEST_F(S3StoreTest, PutGetHeadDeleteBinaryAndOddKeys) {
  std::string binary;
  for (int i = 0; i < 256 * 4; i++) binary.push_back(static_cast<char>(i & 255));
  std::map<std::string, std::string> objects = {
      {"vol/chunks/0/0/1_0_1024", binary},
      {"with space/and+plus=eq&amp", "x"},
      {"unicode/\xc3\xa9t\xc3\xa9/\xe2\x82\xac", "euro"},
      {"tilde~dollar$percent%hash#q?", "odd"},
      {"empty", ""},
  };
  for (auto& [k, v] : objects) ASSERT_TRUE(store_->put(k, Span(v)).ok()) << k;
  for (auto& [k, v] : objects) {
    auto got = store_->get(k);
    ASSERT_TRUE(got) << k << ": " << got.error().ToString();
    EXPECT_EQ(*got, v) << k;
    auto info = store_->head(k);
    ASSERT_TRUE(info) << k << ": " << info.error().ToString();
    EXPECT_EQ(info->size, v.size()) << k;
    EXPECT_GT(info->mtimeNs, 0) << k;
  }
  auto page = store_->list("", "", 100);
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->objects.size(), objects.size());
  size_t i = 0;
  for (auto& [k, v] : objects) {
    EXPECT_EQ(page->objects[i].key, k);
    EXPECT_EQ(page->objects[i].size, v.size());
    i++;
  }
  EXPECT_FALSE(page->truncated);
  for (auto& [k, v] : objects) ASSERT_TRUE(store_->del(k).ok()) << k;
  for (auto& [k, v] : objects) EXPECT_TRUE(store_->get(k).error().is(ENOENT)) << k;
}

TEST_F(S3StoreTest, RangesAndLargeObject) {
  std::mt19937_64 rng(slicefs::testing::TestSeed("RangesAndLargeObject"));
  std::string big = RandomBytes(rng, 8u << 20);
  ASSERT_TRUE(store_->put("big", Span(big)).ok());
  auto all = store_->get("big");
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_TRUE(*all == big);
  for (int i = 0; i < 20; i++) {
    uint64_t off = rng() % big.size();
    int64_t len = static_cast<int64_t>(rng() % (1u << 20)) + 1;
    auto part = store_->get("big", off, len);
    ASSERT_TRUE(part) << part.error().ToString();
    EXPECT_TRUE(*part == big.substr(off, len)) << "off=" << off << " len=" << len;
  }
  auto tail = store_->get("big", big.size() - 10);
  ASSERT_TRUE(tail);
  EXPECT_EQ(*tail, big.substr(big.size() - 10));
  auto beyond = store_->get("big", big.size() - 5, 100);  // runs past the end
  ASSERT_TRUE(beyond);
  EXPECT_EQ(*beyond, big.substr(big.size() - 5));
  auto past = store_->get("big", big.size() + 10, 10);  // starts past the end
  ASSERT_TRUE(past) << past.error().ToString();
  EXPECT_EQ(*past, "");
  auto zero = store_->get("big", 5, 0);
  ASSERT_TRUE(zero);
  EXPECT_EQ(*zero, "");
  // One-byte ranges ("bytes=N-N"): s3rver answers "bytes=0-0" with 206 and
  // the whole object, which once surfaced as a failed block read.
  for (uint64_t off : {uint64_t{0}, uint64_t{1}, uint64_t{big.size() - 1}}) {
    auto one = store_->get("big", off, 1);
    ASSERT_TRUE(one) << one.error().ToString();
    ASSERT_EQ(one->size(), 1u) << "off=" << off;
    EXPECT_EQ((*one)[0], big[off]) << "off=" << off;
  }
}

TEST_F(S3StoreTest, MissingKeyIsENOENTAndDeleteIsIdempotent) {
  auto g = store_->get("nope");
  ASSERT_FALSE(g);
  EXPECT_TRUE(g.error().is(ENOENT)) << g.error().ToString();
  EXPECT_FALSE(g.error().retryable());
  auto r = store_->get("nope", 10, 10);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(ENOENT));
  auto h = store_->head("nope");
  ASSERT_FALSE(h);
  EXPECT_TRUE(h.error().is(ENOENT));
  EXPECT_FALSE(store_->get("nope", 0, 0));
  EXPECT_TRUE(store_->del("nope").ok());
}

TEST_F(S3StoreTest, ListPaginatesWithContinuationTokens) {
  auto cfg = store_->config();
  cfg.listPageSize = 7;  // many ListObjectsV2 round trips
  S3Store small(cfg);
  std::vector<std::string> keys;
  for (int i = 0; i < 53; i++) {
    char buf[32];
    snprintf(buf, sizeof(buf), "p/%04d", i);
    keys.push_back(buf);
    ASSERT_TRUE(store_->put(buf, Span(std::string(i, 'x'))).ok());
  }
  ASSERT_TRUE(store_->put("q/other", Span(std::string("y"))).ok());
  uint64_t before = small.requestsSent();
  auto all = small.list("p/", "", 1000);
  ASSERT_TRUE(all) << all.error().ToString();
  ASSERT_EQ(all->objects.size(), 53u);
  EXPECT_FALSE(all->truncated);
  EXPECT_GE(small.requestsSent() - before, 8u);  // ceil(53/7) pages
  for (size_t i = 0; i < keys.size(); i++) {
    EXPECT_EQ(all->objects[i].key, keys[i]);
    EXPECT_EQ(all->objects[i].size, i);
  }
  // Resuming with startAfter, in pages of 10, visits each key once.
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  while (true) {
    auto page = small.list("p/", after, 10);
    ASSERT_TRUE(page) << page.error().ToString();
    ASSERT_LE(page->objects.size(), 10u);
    for (auto& o : page->objects) seen.push_back(o.key);
    pages++;
    if (!page->truncated) break;
    ASSERT_FALSE(page->objects.empty());
    after = page->objects.back().key;
  }
  EXPECT_EQ(seen, keys);
  EXPECT_EQ(pages, 6);
  auto none = small.list("zzz/", "", 10);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->objects.empty());
  EXPECT_FALSE(none->truncated);
}

TEST_F(S3StoreTest, ListMoreThanOneThousandKeys) {
  // 1,100 keys: more than one default ListObjectsV2 page.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 1100; i += 4) {
        char buf[32];
        snprintf(buf, sizeof(buf), "many/%05d", i);
        if (!store_->put(buf, Span(std::string("v"))).ok()) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  auto page = store_->list("many/", "", 5000);
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(page->objects.size(), 1100u);
  EXPECT_FALSE(page->truncated);
  std::vector<std::string> keys;
  for (int i = 0; i < 1100; i++) {
    char buf[32];
    snprintf(buf, sizeof(buf), "many/%05d", i);
    keys.push_back(buf);
  }
  ASSERT_TRUE(store_->delMany(keys).ok());
  auto after = store_->list("many/", "", 5000);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->objects.empty());
}

TEST_F(S3StoreTest, MultiDelete) {
  std::vector<std::string> keys;
  for (int i = 0; i < 30; i++) {
    keys.push_back("d/k" + std::to_string(i) + (i % 5 == 0 ? " &<odd>" : ""));
    ASSERT_TRUE(store_->put(keys.back(), Span(std::string("z"))).ok());
  }
  ASSERT_TRUE(store_->put("d/keep", Span(std::string("z"))).ok());
  keys.push_back("d/never-existed");
  uint64_t before = store_->requestsSent();
  ASSERT_TRUE(store_->delMany(keys).ok());
  EXPECT_EQ(store_->requestsSent() - before, 1u);  // one POST ?delete
  auto page = store_->list("d/", "", 100);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "d/keep");
}

TEST_F(S3StoreTest, KeyPrefixFromUrl) {
  auto pre = Open(server_->bucketUrl(bucket_) + "/some/prefix");
  ASSERT_TRUE(pre->put("k1", Span(std::string("one"))).ok());
  auto raw = store_->get("some/prefix/k1");
  ASSERT_TRUE(raw) << raw.error().ToString();
  EXPECT_EQ(*raw, "one");
  auto page = pre->list("", "", 10);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "k1");
}

TEST_F(S3StoreTest, VirtualHostedStyle) {
  // s3rver runs with --service-endpoint localhost: BUCKET.s3.localhost:PORT.
  std::string port = server_->endpoint().substr(server_->endpoint().rfind(':') + 1);
  auto vh = Open("http://" + bucket_ + ".s3.localhost:" + port + "?path-style=false&region=us-east-1");
  EXPECT_FALSE(vh->config().pathStyle);
  EXPECT_EQ(vh->config().bucket, bucket_);
  std::string data = "virtual hosted";
  ASSERT_TRUE(vh->put("vh/key", Span(data)).ok());
  auto viaPath = store_->get("vh/key");  // the same object, path-style
  ASSERT_TRUE(viaPath) << viaPath.error().ToString();
  EXPECT_EQ(*viaPath, data);
  auto page = vh->list("vh/", "", 10);
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "vh/key");
  EXPECT_TRUE(vh->del("vh/key").ok());
  EXPECT_TRUE(store_->get("vh/key").error().is(ENOENT));
}

TEST_F(S3StoreTest, ConnectionsAreReused) {
  uint64_t before = store_->connectsMade();
  for (int i = 0; i < 40; i++) {
    ASSERT_TRUE(store_->put("reuse/" + std::to_string(i), Span(std::string(100, 'r'))).ok());
    ASSERT_TRUE(store_->get("reuse/" + std::to_string(i)));
  }
  EXPECT_LE(store_->connectsMade() - before, 2u);
}

TEST_F(S3StoreTest, ConcurrentPutsAndGets) {
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 8; t++) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int i = 0; i < 15; i++) {
        std::string key = "c/" + std::to_string(t) + "/" + std::to_string(i);
        std::string data = RandomBytes(rng, 1000 + rng() % 100000);
        if (!store_->put(key, Span(data)).ok()) bad++;
        auto got = store_->get(key);
        if (!got || *got != data) bad++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(S3StoreTest, WrongAccessKeyIsEACCESFast) {
  auto bad = Open(server_->bucketUrl(bucket_), "NOT-A-KEY", "whatever");
  auto t0 = Clock::now();
  Status st = bad->put("x", Span(std::string("1")));
  EXPECT_TRUE(st.is(EACCES)) << st.ToString();
  EXPECT_FALSE(st.retryable());
  EXPECT_NE(st.message().find("InvalidAccessKeyId"), std::string::npos) << st.message();
  auto g = bad->get("x");
  ASSERT_FALSE(g);
  EXPECT_TRUE(g.error().is(EACCES));
  EXPECT_EQ(bad->requestsSent(), 2u);  // no retries
  EXPECT_LT(Seconds(t0), 2.0);
}

TEST_F(S3StoreTest, MissingBucketIsFinalThenCreated) {
  auto other = Open(server_->bucketUrl(bucket_ + "-missing"));
  auto g = other->get("x");
  ASSERT_FALSE(g);
  EXPECT_TRUE(g.error().is(ENXIO)) << g.error().ToString();
  EXPECT_FALSE(g.error().retryable());
  Status p = other->put("x", Span(std::string("1")));
  EXPECT_TRUE(p.is(ENXIO)) << p.ToString();
  EXPECT_TRUE(other->checkBucket().is(ENXIO));
  ASSERT_TRUE(other->create().ok());
  ASSERT_TRUE(other->create().ok());  // idempotent
  EXPECT_TRUE(other->checkBucket().ok());
  EXPECT_TRUE(other->put("x", Span(std::string("1"))).ok());
  EXPECT_TRUE(other->del("x").ok());
}

TEST(S3StoreFailures, UnreachableEndpointRetriesThenEIO) {
  int port = slicefs::testing::FreePort();  // nothing listens there
  auto cfg = S3Config::Parse("http://127.0.0.1:" + std::to_string(port) + "/b", "AK", "SK");
  ASSERT_TRUE(cfg);
  cfg->ioRetries = 0;
  S3Store once(*cfg);
  Status st = once.put("k", Span(std::string("v")));
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(st.retryable()) << st.ToString();

  cfg->ioRetries = 4;
  cfg->backoffBaseMs = 50;
  cfg->backoffMaxMs = 200;
  S3Store store(*cfg);
  auto t0 = Clock::now();
  st = store.put("k", Span(std::string("v")));
  EXPECT_TRUE(st.is(EIO)) << st.ToString();
  EXPECT_FALSE(st.retryable());
  EXPECT_NE(st.message().find("5 attempts"), std::string::npos) << st.message();
  EXPECT_EQ(store.requestsSent(), 5u);
  EXPECT_LT(Seconds(t0), 3.0);
  EXPECT_GT(Seconds(t0), 0.1);  // it did back off
}

TEST(S3StoreFailures, SilentServerTimesOutNeverHangs) {
  // A socket that accepts connections (kernel backlog) but never answers.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  auto cfg = S3Config::Parse("http://127.0.0.1:" + std::to_string(port) + "/b?get-timeout=1&put-timeout=1&io-retries=1",
                             "AK", "SK");
  ASSERT_TRUE(cfg) << cfg.error().ToString();
  cfg->backoffBaseMs = 10;
  S3Store store(*cfg);
  auto t0 = Clock::now();
  auto g = store.get("k");
  ASSERT_FALSE(g);
  EXPECT_TRUE(g.error().is(EIO)) << g.error().ToString();
  EXPECT_NE(g.error().message().find("imeout"), std::string::npos) << g.error().message();
  Status p = store.put("k", Span(std::string(1 << 20, 'p')));
  EXPECT_TRUE(p.is(EIO)) << p.ToString();
  EXPECT_LT(Seconds(t0), 8.0);
  close(fd);
}

// The server goes away in the middle of a stream of puts and comes back:
// each put either succeeds (possibly after retries) or fails with EIO, and
// every put reported OK reads back exactly.
TEST(S3StoreFailures, ServerRestartDuringPuts) {
  auto server = S3Server::Start();
  if (!server) SKIP_OR_FAIL("s3rver unavailable: " + server.error().message());
  auto cfg = S3Config::Parse((*server)->bucketUrl("restart"), S3Server::kAccessKey, S3Server::kSecretKey);
  ASSERT_TRUE(cfg);
  cfg->ioRetries = 8;
  cfg->backoffBaseMs = 100;
  cfg->backoffMaxMs = 1000;
  cfg->putTimeoutMs = 5000;
  S3Store store(*cfg);
  ASSERT_TRUE(store.create().ok());

  std::mt19937_64 seedRng(slicefs::testing::TestSeed("ServerRestartDuringPuts"));
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, eio{0}, other{0};
  std::mutex mu;
  std::map<std::string, std::string> written;
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; t++) {
    uint64_t seed = seedRng();
    writers.emplace_back([&, t, seed] {
      std::mt19937_64 rng(seed);
      for (int i = 0; !stop.load(); i++) {
        std::string key = "w" + std::to_string(t) + "/" + std::to_string(i);
        std::string data = RandomBytes(rng, 1 + rng() % 200000);
        Status st = store.put(key, Span(data));
        if (st.ok()) {
          ok++;
          std::lock_guard<std::mutex> lock(mu);
          written[key] = data;
        } else if (st.is(EIO)) {
          eio++;
        } else {
          other++;
          ADD_FAILURE() << st.ToString();
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  int okBefore = ok.load();
  ASSERT_TRUE((*server)->stop().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  int okDuringDown = ok.load();
  ASSERT_TRUE((*server)->restart().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (auto& th : writers) th.join();
  int okAfter = ok.load();
  std::fprintf(stderr, "puts ok before stop=%d, by restart=%d, total=%d, eio=%d\n", okBefore, okDuringDown,
               okAfter, eio.load());
  EXPECT_GT(okBefore, 0);
  EXPECT_GT(okAfter, okDuringDown);  // writes resumed after the restart
  EXPECT_EQ(other.load(), 0);
  for (auto& [k, v] : written) {
    auto got = store.get(k);
    ASSERT_TRUE(got) << k << ": " << got.error().ToString();
    ASSERT_TRUE(*got == v) << k;
  }
}

TEST(S3StorePrepare, CreatesBucketAndCleansProbe) {
  std::string why;
  auto* server = slicefs::testing::SharedS3Server(&why);
  if (!server) SKIP_OR_FAIL("s3rver unavailable: " + why);
  VolumeFormat fmt;
  fmt.name = "vol1";
  fmt.uuid = "u-1";
  fmt.storage = "s3";
  fmt.bucket = server->bucketUrl("prep-" + std::to_string(getpid()));
  fmt.accessKey = S3Server::kAccessKey;
  fmt.secretKey = S3Server::kSecretKey;
  Status st = PrepareS3Storage(fmt);
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto store = OpenS3Store(fmt);
  ASSERT_TRUE(store);
  auto page = (*store)->list("", "", 10);
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_TRUE(page->objects.empty());  // the probe is gone
  EXPECT_TRUE(PrepareS3Storage(fmt).ok());  // an existing bucket is fine
}

TEST(S3StorePrepare, BadCredentialsAndEndpointGiveOneLine) {
  std::string why;
  auto* server = slicefs::testing::SharedS3Server(&why);
  if (!server) SKIP_OR_FAIL("s3rver unavailable: " + why);
  VolumeFormat fmt;
  fmt.name = "vol1";
  fmt.storage = "s3";
  fmt.bucket = server->bucketUrl("prep-bad");
  fmt.accessKey = "WRONG";
  fmt.secretKey = "WRONG";
  auto t0 = Clock::now();
  Status st = PrepareS3Storage(fmt);
  EXPECT_TRUE(st.is(EACCES)) << st.ToString();
  EXPECT_NE(st.message().find("access key"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find('\n'), std::string::npos);
  EXPECT_LT(Seconds(t0), 2.0);

  fmt.bucket = "http://127.0.0.1:" + std::to_string(slicefs::testing::FreePort()) + "/b";
  fmt.accessKey = fmt.secretKey = "S3RVER";
  t0 = Clock::now();
  st = PrepareS3Storage(fmt);
  EXPECT_TRUE(st.is(EIO)) << st.ToString();
  EXPECT_NE(st.message().find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(st.message().find('\n'), std::string::npos);
  EXPECT_LT(Seconds(t0), 5.0);
}

}  // namespace
}  // namespace slicefs
