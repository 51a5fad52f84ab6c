// Data-path benchmark: throughput of sequential and random writes and reads
// through DataStore (real Meta over sqlite3, file object storage), and the
// process's peak RSS while writing a big file with a given buffer size.
//
//   data_bench [--dir DIR] [--mode all|rss|throughput] [--buffer-size MiB]
//              [--rss-size GiB] [--seq-size MiB] [--block-size KiB]
//              [--rand-ops N] [--rand-io KiB]
//
// The RSS phase runs first (VmHWM is a process-wide high-water mark) and
// fails (exit 1) when the peak exceeds buffer-size + 128 MiB.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "vfs/volume.h"

using namespace slicefs;

namespace {

struct Args {
  std::string dir;
  std::string mode = "all";
  uint64_t bufferMiB = 300;
  uint64_t rssGiB = 4;
  uint64_t seqMiB = 1024;
  uint32_t blockKiB = 4096;
  int randOps = 2000;
  uint32_t randKiB = 4;
};

uint64_t ProcStatusKiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::strtoull(line.c_str() + std::strlen(field), nullptr, 10);
  }
  return 0;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void Die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "data_bench: %s: %s\n", what.c_str(), st.ToString().c_str());
  std::exit(2);
}
template <class T>
T Must(Result<T> r, const std::string& what) {
  if (!r) Die(what, r.error());
  return std::move(*r);
}
void Must(const Status& st, const std::string& what) {
  if (!st.ok()) Die(what, st);
}

// The benchmark's volume, opened (and reopened) through slicefs::Volume.
struct BenchVolume {
  std::unique_ptr<Volume> vol;
  DataStore* data = nullptr;
  std::string url;
  VolumeOptions opts;

  void Open() {
    vol = Must(Volume::Open(url, opts), "open volume");
    Must(vol->meta().NewSession(SessionInfo{"bench", "", static_cast<uint32_t>(getpid()), "bench"}), "session");
    data = &vol->data();
  }
  void Close() {
    Must(vol->data().FlushAll(), "flush");
    (void)vol->meta().CloseSession();
    vol.reset();
    data = nullptr;
  }
  void Reopen() {
    Close();
    Open();
  }
  Ino NewFile(const std::string& name) {
    auto e = Must(vol->meta().Create(Ctx::Root(), kRootIno, name, S_IFREG | 0644, 0, O_RDWR), "create " + name);
    Must(vol->meta().Close(e.ino), "close");
    return e.ino;
  }
  void Remove(const std::string& name) { Must(vol->meta().Unlink(Ctx::Root(), kRootIno, name), "unlink " + name); }
};

std::string RandomBuf(size_t n) {
  std::string s(n, '\0');
  std::mt19937_64 r(42);
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = r();
    std::memcpy(s.data() + i, &v, 8);
  }
  return s;
}

void SeqWrite(BenchVolume& v, Ino ino, uint64_t total, const std::string& buf) {
  for (uint64_t off = 0; off < total; off += buf.size()) {
    size_t n = std::min<uint64_t>(buf.size(), total - off);
    Must(v.data->Write(ino, off, std::span<const char>(buf.data(), n)), "write");
  }
  Must(v.data->Flush(ino), "flush");
}

int RssPhase(BenchVolume& v, const Args& a) {
  std::string buf = RandomBuf(1 << 20);
  uint64_t total = a.rssGiB << 30;
  uint64_t before = ProcStatusKiB("VmHWM:");
  Ino ino = v.NewFile("rss.bin");
  double t0 = Now();
  SeqWrite(v, ino, total, buf);
  double dt = Now() - t0;
  uint64_t hwmKiB = ProcStatusKiB("VmHWM:");
  uint64_t limitMiB = a.bufferMiB + 128;
  std::printf("rss: wrote %llu MiB in %.1f s (%.1f MiB/s), buffer-size %llu MiB, buffer peak %.1f MiB\n",
              static_cast<unsigned long long>(total >> 20), dt, (total >> 20) / dt,
              static_cast<unsigned long long>(a.bufferMiB), v.data->Stats().bufferPeak / 1048576.0);
  std::printf("rss: peak RSS (VmHWM) %.1f MiB (before writing %.1f MiB); limit buffer-size + 128 = %llu MiB: %s\n",
              hwmKiB / 1024.0, before / 1024.0, static_cast<unsigned long long>(limitMiB),
              hwmKiB / 1024 <= limitMiB ? "OK" : "EXCEEDED");
  v.Remove("rss.bin");
  std::fflush(stdout);
  return hwmKiB / 1024 <= limitMiB ? 0 : 1;
}

void ThroughputPhase(BenchVolume& v, const Args& a) {
  std::string buf = RandomBuf(1 << 20);
  uint64_t total = a.seqMiB << 20;
  Ino ino = v.NewFile("seq.bin");
  double t0 = Now();
  SeqWrite(v, ino, total, buf);
  double dt = Now() - t0;
  std::printf("seq write: %llu MiB in 1 MiB writes: %.1f MiB/s\n", static_cast<unsigned long long>(a.seqMiB),
              a.seqMiB / dt);
  v.Reopen();  // cold memory cache
  std::string out(1 << 20, '\0');
  t0 = Now();
  for (uint64_t off = 0; off < total; off += out.size()) {
    auto r = Must(v.data->Read(ino, off, std::span<char>(out.data(), out.size()), total), "read");
    if (r != out.size()) Die("short read", Status::IOError("short"));
  }
  dt = Now() - t0;
  std::printf("seq read (cold, 1 MiB reads, readahead): %.1f MiB/s\n", a.seqMiB / dt);

  std::mt19937_64 rng(7);
  size_t io = a.randKiB * 1024;
  std::string small = buf.substr(0, io);
  t0 = Now();
  for (int i = 0; i < a.randOps; i++) {
    uint64_t off = (rng() % (total / io)) * io;
    Must(v.data->Write(ino, off, small), "rand write");
  }
  Must(v.data->Flush(ino), "flush");
  dt = Now() - t0;
  std::printf("random write: %d x %u KiB: %.0f IOPS, %.2f MiB/s (incl. final flush)\n", a.randOps, a.randKiB,
              a.randOps / dt, a.randOps * io / 1048576.0 / dt);
  v.Reopen();
  std::string rout(io, '\0');
  t0 = Now();
  for (int i = 0; i < a.randOps; i++) {
    uint64_t off = (rng() % (total / io)) * io;
    Must(v.data->Read(ino, off, std::span<char>(rout.data(), io), total), "rand read");
  }
  dt = Now() - t0;
  auto st = v.data->Stats();
  std::printf("random read (cold): %d x %u KiB: %.0f IOPS, %.2f MiB/s (ranged GETs %llu, block GETs %llu)\n",
              a.randOps, a.randKiB, a.randOps / dt, a.randOps * io / 1048576.0 / dt,
              static_cast<unsigned long long>(st.rangeGets), static_cast<unsigned long long>(st.blockGets));
  t0 = Now();
  for (int i = 0; i < a.randOps; i++) {
    uint64_t off = (rng() % (total / io)) * io;
    Must(v.data->Read(ino, off, std::span<char>(rout.data(), io), total), "rand read");
  }
  dt = Now() - t0;
  std::printf("random read (second pass): %.0f IOPS\n", a.randOps / dt);
  v.Remove("seq.bin");
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; i++) {
    std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "data_bench: %s needs a value\n", k.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (k == "--dir") a.dir = val();
    else if (k == "--mode") a.mode = val();
    else if (k == "--buffer-size") a.bufferMiB = std::stoull(val());
    else if (k == "--rss-size") a.rssGiB = std::stoull(val());
    else if (k == "--seq-size") a.seqMiB = std::stoull(val());
    else if (k == "--block-size") a.blockKiB = static_cast<uint32_t>(std::stoul(val()));
    else if (k == "--rand-ops") a.randOps = std::stoi(val());
    else if (k == "--rand-io") a.randKiB = static_cast<uint32_t>(std::stoul(val()));
    else {
      std::fprintf(stderr, "data_bench: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  bool tmp = a.dir.empty();
  if (tmp) {
    char t[] = "/tmp/slicefs-databench-XXXXXX";
    if (!mkdtemp(t)) return 2;
    a.dir = t;
  }
  std::filesystem::create_directories(a.dir);
  VolumeFormat fmt;
  fmt.name = "bench";
  fmt.uuid = "bench-" + std::to_string(getpid());
  fmt.storage = "file";
  fmt.bucket = a.dir + "/bucket";
  fmt.blockSizeKiB = a.blockKiB;
  fmt.trashDays = 0;
  BenchVolume v;
  v.url = "sqlite3://" + a.dir + "/meta.db";
  Must(Volume::Create(v.url, fmt, false), "format");
  v.opts.data.bufferSize = a.bufferMiB << 20;
  v.Open();
  std::printf("data_bench: file storage at %s, sqlite3 metadata, block %u KiB, buffer %llu MiB\n",
              fmt.bucket.c_str(), a.blockKiB, static_cast<unsigned long long>(a.bufferMiB));
  int rc = 0;
  if (a.mode == "all" || a.mode == "rss") rc = RssPhase(v, a);
  if (a.mode == "all" || a.mode == "throughput") ThroughputPhase(v, a);
  v.Close();
  if (tmp) std::filesystem::remove_all(a.dir);
  return rc;
}
