// Metadata API benchmark: create, stat (lookup), readdir, open+close (each
// file once: the first open in the session; and one file N times: a reopen),
// rename and unlink of N entries in one directory, through the Meta API (not
// FUSE), for every available engine of tests/support/engines.h. Prints a
// table.
//
//   build/meta_bench [--n 10000] [--engines mem,sqlite3]
#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kv/kv.h"
#include "meta/meta.h"
#include "support/engines.h"

using namespace slicefs;

namespace {

struct Row {
  std::string engine;
  double create = 0, stat = 0, readdir = 0, openClose = 0, reopen = 0, rename = 0, unlink = 0;
};

template <class F>
double PerSecond(int n, F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s > 0 ? n / s : 0;
}

void Die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "meta_bench: %s: %s\n", what.c_str(), st.ToString().c_str());
  std::exit(1);
}

template <class T>
T Need(Result<T> r, const std::string& what) {
  if (!r) Die(what, r.error());
  return std::move(*r);
}
void Need(const Status& st, const std::string& what) {
  if (!st.ok()) Die(what, st);
}

Row Run(const std::string& engine, const std::string& url, int n) {
  auto kv = Need(OpenKvStore(url), "open " + url);
  VolumeFormat f;
  f.name = "bench";
  f.bucket = "/tmp/slicefs-meta-bench";
  f.trashDays = 0;
  Need(Meta::Format(*kv, f, false), "format");
  auto meta = Need(Meta::Open(std::move(kv), MetaOptions{}), "open meta");
  Need(meta->NewSession(SessionInfo{"bench", "", 0, "bench"}), "session");
  const Ctx root = Ctx::Root();
  Ino dir = Need(meta->Mkdir(root, kRootIno, "bench", 0755, 0), "mkdir").ino;
  std::vector<std::string> names(n);
  for (int i = 0; i < n; i++) names[i] = "file-" + std::to_string(i);
  Row r;
  r.engine = engine;
  r.create = PerSecond(n, [&] {
    for (auto& nm : names) Need(meta->Mknod(root, dir, nm, S_IFREG | 0644, 0, 0), "create");
  });
  r.stat = PerSecond(n, [&] {
    for (auto& nm : names) Need(meta->Lookup(root, dir, nm), "lookup");
  });
  r.readdir = PerSecond(n, [&] {
    std::string after;
    size_t total = 0;
    for (;;) {
      auto batch = Need(meta->Readdir(root, dir, after, 1000, true), "readdir");
      if (batch.empty()) break;
      total += batch.size();
      after = batch.back().name;
    }
    if (total != static_cast<size_t>(n)) Die("readdir", Status::IOError("lost entries"));
  });
  std::vector<Ino> inos;
  for (auto& nm : names) inos.push_back(Need(meta->Lookup(root, dir, nm), "lookup").ino);
  r.openClose = PerSecond(n, [&] {
    for (Ino ino : inos) {
      Need(meta->Open(root, ino, O_RDONLY), "open");
      Need(meta->Close(ino), "close");
    }
  });
  r.reopen = PerSecond(n, [&] {
    for (int i = 0; i < n; i++) {
      Need(meta->Open(root, inos[0], O_RDONLY), "open");
      Need(meta->Close(inos[0]), "close");
    }
  });
  r.rename = PerSecond(n, [&] {
    for (auto& nm : names) Need(meta->Rename(root, dir, nm, dir, nm + ".r", 0), "rename");
  });
  r.unlink = PerSecond(n, [&] {
    for (auto& nm : names) Need(meta->Unlink(root, dir, nm + ".r"), "unlink");
  });
  Need(meta->CloseSession(), "close session");
  (void)meta->kv().dropAll();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 10000;
  std::vector<std::string> only;
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--n") && i + 1 < argc) {
      n = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--engines") && i + 1 < argc) {
      std::string list = argv[++i];
      size_t pos = 0;
      while (pos <= list.size()) {
        size_t c = list.find(',', pos);
        if (c == std::string::npos) c = list.size();
        only.push_back(list.substr(pos, c - pos));
        pos = c + 1;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--n N] [--engines mem,sqlite3,...]\n", argv[0]);
      return 2;
    }
  }
  if (n <= 0) {
    std::fprintf(stderr, "meta_bench: --n must be positive\n");
    return 2;
  }
  std::vector<Row> rows;
  for (const auto& engine : slicefs::testing::EngineNames()) {
    if (!only.empty() && std::find(only.begin(), only.end(), engine) == only.end()) continue;
    auto url = slicefs::testing::FreshEngineUrl(engine);
    if (!url) {
      std::fprintf(stderr, "meta_bench: skipping %s: %s\n", engine.c_str(), url.error().ToString().c_str());
      continue;
    }
    rows.push_back(Run(engine, *url, n));
  }
  std::printf("Meta API, one client, one thread, %d entries in one directory (operations per second)\n\n", n);
  std::printf("| engine   |   create |     stat | readdir (entries) | open+close | reopen+close |   rename |   unlink |\n");
  std::printf("|----------|---------:|---------:|------------------:|-----------:|-------------:|---------:|---------:|\n");
  for (auto& r : rows) {
    std::printf("| %-8s | %8.0f | %8.0f | %17.0f | %10.0f | %12.0f | %8.0f | %8.0f |\n", r.engine.c_str(), r.create,
                r.stat, r.readdir, r.openClose, r.reopen, r.rename, r.unlink);
  }
  return 0;
}
