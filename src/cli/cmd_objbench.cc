// slicefs objbench --storage file|s3|mem --bucket URL: checks that an object
// store works (put, get, ranged get, head, list, delete, missing key) and
// measures put/get/list/delete throughput and latency for small and
// block-sized objects, printed as a table. Every object it writes lives
// under "objbench-<random>/" and is deleted at the end.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "cli/command.h"
#include "common/size.h"
#include "common/volume_format.h"
#include "object/open_store.h"
#include "vfs/volume.h"
#include "object/s3_store.h"

namespace slicefs::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string storage = "file";
  std::string bucket;
  std::string accessKey, secretKey, sessionToken;
  std::string smallSize = "4K";
  std::string bigSize = "4M";
  int smallCount = 200;
  int bigCount = 16;
  int threads = 4;
  int ioRetries = 3;
  bool skipFunctional = false;
};

// Object sizes: the common grammar (a plain number is bytes), 1 B..64 MiB.
Result<uint64_t> ParseObjectSize(const std::string& s) {
  ASSIGN_OR_RETURN(uint64_t n, ParseSize(s, 1, "object size"));
  if (n == 0 || n > 64 * kMiB) return Err(EINVAL, "object size '" + s + "' must be in 1..64M");
  return n;
}

struct Row {
  std::string item, size = "";
  int count = 0;
  double seconds = 0;
  uint64_t bytes = 0;
  std::vector<double> latMs = {};  // per operation
  std::string unit = "objects";
};

// Runs op(i) for i in [0, n) on `threads` threads; records latencies.
Status RunParallel(int n, int threads, Row& row, const std::function<Status(int)>& op) {
  std::atomic<int> next{0};
  std::mutex mu;
  Status first;
  std::vector<std::thread> ts;
  auto t0 = Clock::now();
  for (int t = 0; t < std::max(1, threads); t++) {
    ts.emplace_back([&] {
      std::vector<double> lat;
      for (int i = next++; i < n; i = next++) {
        auto s = Clock::now();
        Status st = op(i);
        lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
        if (!st.ok()) {
          std::lock_guard<std::mutex> lk(mu);
          if (first.ok()) first = st;
          next = n;
        }
      }
      std::lock_guard<std::mutex> lk(mu);
      row.latMs.insert(row.latMs.end(), lat.begin(), lat.end());
    });
  }
  for (auto& t : ts) t.join();
  row.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  row.count = n;
  return first;
}

void PrintTable(const std::string& what, const std::vector<Row>& rows) {
  std::printf("Object store benchmark: %s\n", what.c_str());
  std::printf("+--------------+---------+-------+------------------+--------------+-------------+-------------+\n");
  std::printf("| %-12s | %-7s | %5s | %16s | %12s | %11s | %11s |\n", "ITEM", "SIZE", "COUNT", "THROUGHPUT",
              "OPS/S", "AVG (ms)", "P99 (ms)");
  std::printf("+--------------+---------+-------+------------------+--------------+-------------+-------------+\n");
  for (auto r : rows) {
    std::sort(r.latMs.begin(), r.latMs.end());
    double avg = 0;
    for (double l : r.latMs) avg += l;
    avg = r.latMs.empty() ? 0 : avg / r.latMs.size();
    double p99 = r.latMs.empty() ? 0 : r.latMs[std::min(r.latMs.size() - 1, r.latMs.size() * 99 / 100)];
    double secs = std::max(r.seconds, 1e-9);
    char thr[64];
    if (r.bytes > 0) std::snprintf(thr, sizeof(thr), "%.2f MiB/s", r.bytes / 1048576.0 / secs);
    else std::snprintf(thr, sizeof(thr), "%.1f %s/s", r.count / secs, r.unit.c_str());
    std::printf("| %-12s | %-7s | %5d | %16s | %12.1f | %11.2f | %11.2f |\n", r.item.c_str(), r.size.c_str(),
                r.count, thr, r.latMs.size() / secs, avg, p99);
  }
  std::printf("+--------------+---------+-------+------------------+--------------+-------------+-------------+\n");
}

Status Functional(ObjectStore& s, const std::string& prefix) {
  std::string key = prefix + "check";
  std::string data = "slicefs objbench functional check \x01\x02\xff";
  RETURN_IF_ERROR(s.put(key, std::span<const char>(data.data(), data.size())).WithContext("put"));
  ASSIGN_OR_RETURN(auto got, s.get(key));
  if (got != data) return Status::IOError("get returned different bytes");
  ASSIGN_OR_RETURN(auto part, s.get(key, 8, 7));
  if (part != data.substr(8, 7)) return Status::IOError("ranged get returned '" + part + "'");
  ASSIGN_OR_RETURN(auto info, s.head(key));
  if (info.size != data.size()) return Status::IOError("head size " + std::to_string(info.size));
  ASSIGN_OR_RETURN(auto page, s.list(prefix, "", 10));
  if (page.objects.size() != 1 || page.objects[0].key != key) return Status::IOError("list does not show the object");
  RETURN_IF_ERROR(s.del(key).WithContext("delete"));
  auto gone = s.get(key);
  if (gone || !gone.error().is(ENOENT))
    return Status::IOError("a deleted object is still readable or gives the wrong error");
  return Status::OK();
}

void Run(const Options& o) {
  auto smallSize = Check(ParseObjectSize(o.smallSize), "--small-size");
  auto bigSize = Check(ParseObjectSize(o.bigSize), "--big-size");
  if (o.smallCount < 1 || o.bigCount < 1 || o.threads < 1)
    throw CommandError("--small-count, --big-count and --threads must be >= 1");
  VolumeFormat fmt;
  fmt.name = "objbench";
  fmt.storage = o.storage;
  fmt.bucket = o.bucket;
  fmt.accessKey = o.accessKey;
  fmt.secretKey = o.secretKey;
  fmt.sessionToken = o.sessionToken;
  std::unique_ptr<ObjectStore> store;
  if (o.storage == "s3") {
    auto cfg = Check(S3Config::FromFormat(fmt));
    cfg.ioRetries = o.ioRetries;
    cfg.maxConnections = std::max<size_t>(cfg.maxConnections, static_cast<size_t>(o.threads));
    store = std::make_unique<S3Store>(cfg);
  } else {
    store = Check(Volume::OpenStorage(fmt, /*plain=*/false, StoreOptions{.ioRetries = o.ioRetries}));
  }
  Check(store->create(), "cannot use " + store->describe());
  std::mt19937_64 rng{std::random_device{}()};
  char tag[32];
  std::snprintf(tag, sizeof(tag), "%016llx", static_cast<unsigned long long>(rng()));
  const std::string prefix = "objbench-" + std::string(tag) + "/";

  if (!o.skipFunctional) {
    Check(Functional(*store, prefix), "functional check on " + store->describe() + " failed");
    std::printf("functional check: OK (put, get, ranged get, head, list, delete, missing key)\n");
    std::fflush(stdout);
  }

  std::vector<Row> rows;
  auto bench = [&](const std::string& cls, uint64_t size, int count) {
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    auto key = [&](int i) { return prefix + cls + "/" + std::to_string(i); };
    Row put{"put " + cls, FormatSize(size)};
    Check(RunParallel(count, o.threads, put,
                      [&](int i) { return store->put(key(i), std::span<const char>(data.data(), data.size())); }),
          "put " + cls);
    put.bytes = size * count;
    rows.push_back(put);
    Row get{"get " + cls, FormatSize(size)};
    Check(RunParallel(count, o.threads, get,
                      [&](int i) -> Status {
                        auto r = store->get(key(i));
                        if (!r) return r.error();
                        if (r->size() != size) return Status::IOError("get " + key(i) + ": short read");
                        return Status::OK();
                      }),
          "get " + cls);
    get.bytes = size * count;
    rows.push_back(get);
    if (cls == "small") {
      // Listing: whole prefix in pages of 100 keys; throughput in keys/s.
      Row list{"list", "-"};
      list.unit = "keys";
      int pages = 0;
      size_t seen = 0;
      auto t0 = Clock::now();
      std::string after;
      while (true) {
        auto s = Clock::now();
        auto page = Check(store->list(prefix + cls + "/", after, 100), "list");
        list.latMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
        pages++;
        seen += page.objects.size();
        if (!page.truncated || page.objects.empty()) break;
        after = page.objects.back().key;
      }
      list.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      list.count = static_cast<int>(seen);
      if (seen != static_cast<size_t>(count))
        throw CommandError("list returned " + std::to_string(seen) + " keys, expected " + std::to_string(count));
      rows.push_back(list);
    }
    Row del{"delete " + cls, FormatSize(size)};
    Check(RunParallel(count, o.threads, del, [&](int i) { return store->del(key(i)); }), "delete " + cls);
    rows.push_back(del);
  };
  bench("small", smallSize, o.smallCount);
  bench("big", bigSize, o.bigCount);
  PrintTable(store->describe() + ", " + std::to_string(o.threads) + " threads", rows);
}

void Setup(CLI::App& app) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("objbench", "check an object store and measure its put/get/list/delete speed");
  cmd->add_option("--storage", o->storage, "storage type: file, s3 or mem")
      ->check(CLI::IsMember({"file", "s3", "mem"}));
  cmd->add_option("--bucket", o->bucket,
                  "bucket: a directory for file, an endpoint URL for s3 (http://127.0.0.1:9000/mybucket)")
      ->required();
  cmd->add_option("--access-key", o->accessKey, "access key (default $AWS_ACCESS_KEY_ID)");
  cmd->add_option("--secret-key", o->secretKey, "secret key (default $AWS_SECRET_ACCESS_KEY)");
  cmd->add_option("--session-token", o->sessionToken, "session token (default $AWS_SESSION_TOKEN)");
  cmd->add_option("--small-size", o->smallSize, "size of small objects")->capture_default_str();
  cmd->add_option("--big-size", o->bigSize, "size of big (block-sized) objects")->capture_default_str();
  cmd->add_option("--small-count", o->smallCount, "number of small objects")->capture_default_str();
  cmd->add_option("--big-count", o->bigCount, "number of big objects")->capture_default_str();
  cmd->add_option("-p,--threads", o->threads, "concurrent requests")->capture_default_str();
  cmd->add_option("--io-retries", o->ioRetries, "retries of a failed request (s3)")->capture_default_str();
  cmd->add_flag("--skip-functional-tests", o->skipFunctional, "only measure");
  cmd->callback([o] { Run(*o); });
}

REGISTER_COMMAND("objbench", Setup);

}  // namespace
}  // namespace slicefs::cli
