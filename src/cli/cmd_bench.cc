// slicefs bench PATH: the familiar JuiceFS-style benchmark of a directory
// (a slicefs mount or any other file system, for comparison): N workers
// write and read one big file each, write and read many small files each,
// and stat the small files. Prints a table of throughput and per-operation
// cost; the files are removed at the end.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "cli/command.h"
#include "cli/mount_files.h"
#include "common/size.h"

namespace slicefs::cli {
namespace {

struct BenchArgs {
  std::string path;
  int parallel = 1;
  std::string bigSize = "1G";
  std::string smallSize = "128K";
  int smallCount = 100;
  std::string blockSize = "1M";
  bool keep = false;
};

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Runs fn(worker) on `n` threads; the first error message wins.
double RunWorkers(int n, const std::function<std::string(int)>& fn) {
  std::vector<std::thread> ts;
  std::vector<std::string> errs(n);
  auto t0 = Clock::now();
  for (int w = 0; w < n; w++) ts.emplace_back([&, w] { errs[w] = fn(w); });
  for (auto& t : ts) t.join();
  double s = Seconds(t0);
  for (auto& e : errs)
    if (!e.empty()) throw CommandError(e);
  return s;
}

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

std::string WriteFile(const std::string& path, uint64_t size, const std::string& buf) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Errno("create", path);
  for (uint64_t off = 0; off < size;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - off));
    ssize_t w = ::write(fd, buf.data(), n);
    if (w <= 0) {
      std::string e = Errno("write", path);
      ::close(fd);
      return e;
    }
    off += static_cast<uint64_t>(w);
  }
  if (::close(fd) != 0) return Errno("close", path);
  return "";
}

std::string ReadFile(const std::string& path, uint64_t size, std::string& buf) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return Errno("open", path);
  uint64_t total = 0;
  for (;;) {
    ssize_t r = ::read(fd, buf.data(), buf.size());
    if (r < 0) {
      std::string e = Errno("read", path);
      ::close(fd);
      return e;
    }
    if (r == 0) break;
    total += static_cast<uint64_t>(r);
  }
  ::close(fd);
  if (total != size) return "read " + path + ": got " + std::to_string(total) + " bytes, expected " + std::to_string(size);
  return "";
}

struct Row {
  std::string item, value, cost;
};

void PrintTable(const std::vector<Row>& rows) {
  size_t w1 = 4, w2 = 5, w3 = 4;
  for (auto& r : rows) {
    w1 = std::max(w1, r.item.size());
    w2 = std::max(w2, r.value.size());
    w3 = std::max(w3, r.cost.size());
  }
  auto line = [&] {
    std::printf("+%s+%s+%s+\n", std::string(w1 + 2, '-').c_str(), std::string(w2 + 2, '-').c_str(),
                std::string(w3 + 2, '-').c_str());
  };
  line();
  std::printf("| %-*s | %-*s | %-*s |\n", int(w1), "ITEM", int(w2), "VALUE", int(w3), "COST");
  line();
  for (auto& r : rows) std::printf("| %-*s | %*s | %*s |\n", int(w1), r.item.c_str(), int(w2), r.value.c_str(), int(w3), r.cost.c_str());
  line();
}

std::string Fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

void Run(const BenchArgs& a) {
  const uint64_t big = Check(ParseSize(a.bigSize, kMiB, "--big-file-size"));
  const uint64_t small = Check(ParseSize(a.smallSize, kKiB, "--small-file-size"));
  const uint64_t block = Check(ParseSize(a.blockSize, kMiB, "--block-size"));
  if (block == 0 || block > 64 * kMiB) throw CommandError("--block-size must be in 1..64M");
  if (a.parallel < 1 || a.parallel > 256) throw CommandError("-p must be in 1..256");
  struct stat st;
  if (::stat(a.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw CommandError(a.path + " is not a directory");
  const std::string dir = a.path + "/__slicefs_bench_" + std::to_string(getpid());
  if (::mkdir(dir.c_str(), 0755) != 0) throw CommandError(Errno("mkdir", dir));
  // Inside a slicefs mount: what the mount did during the run, from .stats.
  auto mountRoot = SlicefsMountRoot(a.path);
  auto statsBefore = mountRoot ? ReadMountFile(*mountRoot, ".stats") : Result<std::string>(std::string());
  std::string buf(block, '\0');
  std::mt19937_64 rng(1);
  for (size_t i = 0; i + 8 <= buf.size(); i += 8) {
    uint64_t v = rng();
    std::memcpy(&buf[i], &v, 8);
  }
  const int p = a.parallel;
  auto bigPath = [&](int w) { return dir + "/big." + std::to_string(w); };
  auto smallPath = [&](int w, int i) { return dir + "/small." + std::to_string(w) + "." + std::to_string(i); };
  std::vector<Row> rows;
  const bool tty = isatty(2);
  auto stage = [&](const char* s) {
    if (tty) std::fprintf(stderr, "\r%-40s", s);
  };
  try {
    if (big > 0) {
      stage("writing big files...");
      double t = RunWorkers(p, [&](int w) { return WriteFile(bigPath(w), big, buf); });
      rows.push_back({"Write big file", Fmt("%.2f MiB/s", double(big) * p / kMiB / t), Fmt("%.2f s/file", t)});
      stage("reading big files...");
      t = RunWorkers(p, [&](int w) {
        std::string rb(block, '\0');
        return ReadFile(bigPath(w), big, rb);
      });
      rows.push_back({"Read big file", Fmt("%.2f MiB/s", double(big) * p / kMiB / t), Fmt("%.2f s/file", t)});
    }
    if (a.smallCount > 0) {
      stage("writing small files...");
      std::string sbuf = buf.substr(0, std::min<uint64_t>(small, buf.size()));
      if (sbuf.empty()) sbuf.assign(1, 'x');
      double t = RunWorkers(p, [&](int w) {
        for (int i = 0; i < a.smallCount; i++)
          if (auto e = WriteFile(smallPath(w, i), small, sbuf); !e.empty()) return e;
        return std::string();
      });
      const double n = double(a.smallCount) * p;
      rows.push_back({"Write small file", Fmt("%.1f files/s", n / t), Fmt("%.2f ms/file", t * 1000 * p / n)});
      stage("reading small files...");
      t = RunWorkers(p, [&](int w) {
        std::string rb(std::max<uint64_t>(small, 1), '\0');
        for (int i = 0; i < a.smallCount; i++)
          if (auto e = ReadFile(smallPath(w, i), small, rb); !e.empty()) return e;
        return std::string();
      });
      rows.push_back({"Read small file", Fmt("%.1f files/s", n / t), Fmt("%.2f ms/file", t * 1000 * p / n)});
      stage("stat small files...");
      t = RunWorkers(p, [&](int w) {
        struct stat s2;
        for (int i = 0; i < a.smallCount; i++)
          if (::stat(smallPath(w, i).c_str(), &s2) != 0) return Errno("stat", smallPath(w, i));
        return std::string();
      });
      rows.push_back({"Stat file", Fmt("%.1f files/s", n / t), Fmt("%.3f ms/file", t * 1000 * p / n)});
    }
  } catch (...) {
    if (!a.keep) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
    if (tty) std::fprintf(stderr, "\r%-40s\r", "");
    throw;
  }
  if (tty) std::fprintf(stderr, "\r%-40s\r", "");
  if (mountRoot && statsBefore) {
    auto after = ReadMountFile(*mountRoot, ".stats");
    if (after) {
      for (auto& r : MountCostRows(ParseStats(*statsBefore), ParseStats(*after))) rows.push_back({r.item, r.value, r.cost});
    }
  }
  std::printf("Benchmark of %s: %d worker(s), big file %s, %d small file(s) of %s each, block %s\n",
              a.path.c_str(), p, FormatSize(big).c_str(), a.smallCount, FormatSize(small).c_str(),
              FormatSize(block).c_str());
  PrintTable(rows);
  if (!a.keep) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) throw CommandError("cleaning up " + dir + ": " + ec.message());
  }
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  auto* c = app.add_subcommand("bench", "benchmark a directory: big and small files, stat (as juicefs bench)");
  c->add_option("PATH", a->path, "a directory, e.g. inside a slicefs mount")->required();
  c->add_option("-p,--threads", a->parallel, "parallel workers")->capture_default_str();
  c->add_option("--big-file-size", a->bigSize, "size of each big file (plain number: MiB; 0 skips)")->capture_default_str();
  c->add_option("--small-file-size", a->smallSize, "size of each small file (plain number: KiB)")->capture_default_str();
  c->add_option("--small-file-count", a->smallCount, "small files per worker (0 skips)")->capture_default_str();
  c->add_option("--block-size", a->blockSize, "size of each read/write call (plain number: MiB)")->capture_default_str();
  c->add_flag("--keep", a->keep, "leave the benchmark files behind");
  c->callback([a] { Run(*a); });
}

}  // namespace

REGISTER_COMMAND("bench", Setup);

}  // namespace slicefs::cli
