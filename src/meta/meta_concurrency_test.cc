// Conformance: several threads (two clients) and, for engines shared across
// processes, several forked processes create, rename, link and unlink in one
// directory at once. No entry may be lost or duplicated, exactly one of
// racing O_EXCL creates wins, and the invariants (directory nlink, link
// counts, parent records, usage counters after flush) hold afterwards.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <barrier>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "common/encoding.h"
#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

struct Outcome {
  std::set<std::string> inD, inE;
  int raceWins = 0;
  std::string error;  // first failure, empty if none
};

void Worker(Meta& m, Ino d, Ino e, int id, int n, uint64_t seed, Outcome& out) {
  const Ctx root = Ctx::Root();
  std::mt19937_64 rng(seed * 1000003 + id);
  auto fail = [&](const std::string& what, const Status& st) {
    if (out.error.empty()) out.error = "worker " + std::to_string(id) + ": " + what + ": " + st.ToString();
  };
  for (int k = 0; k < n && out.error.empty(); k++) {
    std::string name = "w" + std::to_string(id) + "-" + std::to_string(k);
    auto c = m.Mknod(root, d, name, S_IFREG | 0644, 0, 0);
    if (!c) return fail("create " + name, c.error());
    out.inD.insert(name);
    switch (rng() % 5) {
      case 0: {
        Status st = m.Rename(root, d, name, d, name + "-r", 0);
        if (!st.ok()) return fail("rename", st);
        out.inD.erase(name);
        out.inD.insert(name + "-r");
        break;
      }
      case 1: {
        Status st = m.Rename(root, d, name, e, name, 0);
        if (!st.ok()) return fail("rename across", st);
        out.inD.erase(name);
        out.inE.insert(name);
        break;
      }
      case 2: {
        auto l = m.Link(root, c->ino, e, name + "-l");
        if (!l) return fail("link", l.error());
        out.inE.insert(name + "-l");
        break;
      }
      case 3: {
        Status st = m.Unlink(root, d, name);
        if (!st.ok()) return fail("unlink", st);
        out.inD.erase(name);
        break;
      }
      default:
        break;
    }
    if (k % 7 == 6 && !out.inD.empty()) {  // unlink one of our older entries
      auto it = out.inD.begin();
      std::advance(it, rng() % out.inD.size());
      Status st = m.Unlink(root, d, *it);
      if (!st.ok()) return fail("unlink old " + *it, st);
      out.inD.erase(it);
    }
    if (k % 10 == 5) {  // rmdir races with creates inside the directory
      const std::string sd = "sd-" + std::to_string(k);
      Ino sdIno = 0;
      if (auto mk = m.Mkdir(root, d, sd, 0755, 0)) {
        sdIno = mk->ino;
      } else if (!mk.error().is(EEXIST)) {
        return fail("mkdir " + sd, mk.error());
      } else if (auto lk = m.Lookup(root, d, sd)) {
        sdIno = lk->ino;
      } else if (!lk.error().is(ENOENT)) {
        return fail("lookup " + sd, lk.error());
      }
      if (sdIno) {
        const std::string x = "x" + std::to_string(id);
        auto c2 = m.Mknod(root, sdIno, x, S_IFREG | 0644, 0, 0);
        if (c2 && rng() % 2) {
          Status st = m.Unlink(root, sdIno, x);
          if (!st.ok()) return fail("unlink " + sd + "/" + x, st);
        } else if (!c2 && !c2.error().is(ENOENT)) {
          return fail("create in " + sd, c2.error());
        }
      }
      Status st = m.Rmdir(root, d, sd);
      if (!st.ok() && !st.is(ENOTEMPTY) && !st.is(ENOENT)) return fail("rmdir " + sd, st);
    }
    if (k % 10 == 0) {  // every worker races for the same name
      auto r = m.Mknod(root, d, "race-" + std::to_string(k), S_IFREG | 0644, 0, 0);
      if (r) {
        out.raceWins++;
      } else if (!r.error().is(EEXIST)) {
        return fail("race create", r.error());
      }
    }
  }
}

std::set<std::string> ListAll(Meta& m, Ino dir) {
  std::set<std::string> names;
  std::string after;
  for (;;) {
    auto batch = Must(m.Readdir(Ctx::Root(), dir, after, 500, false));
    if (batch.empty()) break;
    for (auto& e : batch) EXPECT_TRUE(names.insert(e.name).second) << "duplicate entry " << e.name;
    after = batch.back().name;
  }
  return names;
}

void VerifyOutcome(MetaTest* t, Meta& m, Ino d, Ino e, const std::vector<Outcome>& outs, int n) {
  // No orphans from rmdir racing with creates; then remove the race dirs.
  CheckInvariants(m.kv());
  const Ctx root = Ctx::Root();
  for (const auto& name : ListAll(m, d)) {
    if (!name.starts_with("sd-")) continue;
    auto sd = Must(m.Lookup(root, d, name));
    for (const auto& x : ListAll(m, sd.ino)) EXPECT_OK(m.Unlink(root, sd.ino, x));
    EXPECT_OK(m.Rmdir(root, d, name));
  }
  std::set<std::string> wantD, wantE;
  int wins = 0;
  for (auto& o : outs) {
    EXPECT_TRUE(o.error.empty()) << o.error;
    wantD.insert(o.inD.begin(), o.inD.end());
    wantE.insert(o.inE.begin(), o.inE.end());
    wins += o.raceWins;
  }
  for (int k = 0; k < n; k += 10) wantD.insert("race-" + std::to_string(k));
  EXPECT_EQ(wins, (n + 9) / 10) << "exactly one racing create per name must win";
  EXPECT_EQ(ListAll(m, d), wantD);
  EXPECT_EQ(ListAll(m, e), wantE);
  VolumeScan scan = CheckInvariants(m.kv());
  std::set<std::string> bases;  // one inode per base name ("-r"/"-l" are the same file)
  for (const auto* set : {&wantD, &wantE}) {
    for (std::string s : *set) {
      if (s.ends_with("-r") || s.ends_with("-l")) s.resize(s.size() - 2);
      bases.insert(s);
    }
  }
  EXPECT_EQ(scan.inodes, 2 + bases.size());
  auto st = Must(m.StatFs(Ctx::Root(), kRootIno));
  EXPECT_EQ(st.usedInodes, scan.inodes);
}

int Iterations(const std::string& engine) {
  if (engine == "mem") return 300;
  if (engine == "sqlite3") return 150;
  return 60;
}

TEST_P(MetaTest, ConcurrentThreadsOnTwoClientsLoseNothing) {
  const uint64_t seed = testing::TestSeed("ConcurrentThreadsOnTwoClientsLoseNothing");
  auto other = OpenClient();
  auto d = Must(meta_->Mkdir(root_, kRootIno, "D", 0755, 0));
  auto e = Must(meta_->Mkdir(root_, kRootIno, "E", 0755, 0));
  const int n = Iterations(GetParam());
  std::vector<Outcome> outs(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; i++) {
    Meta& m = i % 2 ? *other : *meta_;
    threads.emplace_back([&, i] { Worker(m, d.ino, e.ino, i, n, seed, outs[i]); });
  }
  for (auto& t : threads) t.join();
  ASSERT_OK(other->FlushUsage());
  ASSERT_OK(impl().FlushUsage());
  VerifyOutcome(this, *meta_, d.ino, e.ino, outs, n);
}

// Rounds in lockstep: every thread tries to create a file inside a fresh
// directory while one of them removes the directory. Either the rmdir fails
// (ENOTEMPTY) or the creates fail (ENOENT); never both succeed, which would
// leave files inside a deleted directory.
TEST_P(MetaTest, RmdirRacingCreatesLeavesNoOrphans) {
  auto other = OpenClient();
  auto d = Must(meta_->Mkdir(root_, kRootIno, "D", 0755, 0));
  const int rounds = GetParam() == "etcd" || GetParam() == "postgres" ? 40 : 100;
  std::barrier sync(4);
  std::vector<std::string> errors(4);
  std::vector<Ino> dirs(rounds);
  std::atomic<int> removed{0}, created{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; i++) {
    threads.emplace_back([&, i] {
      Meta& m = i % 2 ? *other : *meta_;
      const Ctx root = Ctx::Root();
      for (int r = 0; r < rounds; r++) {
        const std::string name = "sd-" + std::to_string(r);
        if (i == 0) {
          auto mk = m.Mkdir(root, d.ino, name, 0755, 0);
          if (!mk) errors[i] = mk.error().ToString();
          else dirs[r] = mk->ino;
        }
        sync.arrive_and_wait();
        if (i == 0) {
          Status st = m.Rmdir(root, d.ino, name);
          if (st.ok()) removed++;
          else if (!st.is(ENOTEMPTY)) errors[i] = "rmdir: " + st.ToString();
        } else {
          // Vary who comes first: sometimes the creates start late.
          if (r % 4 == 2) std::this_thread::sleep_for(std::chrono::microseconds(100 * i));
          if (r % 4 == 3) std::this_thread::sleep_for(std::chrono::milliseconds(2));
          auto c = m.Mknod(root, dirs[r], "x" + std::to_string(i), S_IFREG | 0644, 0, 0);
          if (c) created++;
          else if (!c.error().is(ENOENT)) errors[i] = "create: " + c.error().ToString();
        }
        sync.arrive_and_wait();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) EXPECT_EQ(e, "");
  std::fprintf(stderr, "rmdir won %d of %d rounds, %d creates succeeded\n", removed.load(), rounds, created.load());
  CheckInvariants(meta_->kv());
  for (int r = 0; r < rounds; r++) {
    if (meta_->Lookup(root_, d.ino, "sd-" + std::to_string(r))) continue;
    size_t left = 0;
    ASSERT_OK(meta_->kv().readOnly([&](KvTxn& tx) -> Status {
      const std::string prefix = keys::EntryPrefix(dirs[r]);
      auto kvs = tx.scan(prefix, PrefixEnd(prefix), 10);
      if (!kvs) return kvs.error();
      left = kvs->size();
      return Status::OK();
    }));
    EXPECT_EQ(left, 0u) << "files left inside removed directory sd-" << r;
  }
}

TEST_P(MetaTest, ConcurrentProcessesLoseNothing) {
  if (!testing::EngineIsShared(GetParam())) GTEST_SKIP() << GetParam() << " is not shared across processes";
  const uint64_t seed = testing::TestSeed("ConcurrentProcessesLoseNothing");
  auto d = Must(meta_->Mkdir(root_, kRootIno, "D", 0755, 0));
  auto e = Must(meta_->Mkdir(root_, kRootIno, "E", 0755, 0));
  const int n = GetParam() == "sqlite3" ? 100 : 40;
  const int procs = 3;
  std::vector<pid_t> pids;
  for (int i = 0; i < procs; i++) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      {
        Outcome o;
        auto kv = OpenKvStore(url_);
        if (!kv) {
          o.error = kv.error().ToString();
        } else if (auto m = Meta::Open(std::move(*kv), MetaOptions{}); !m) {
          o.error = m.error().ToString();
        } else {
          Worker(**m, d.ino, e.ino, i, n, seed, o);
          (void)(*m)->CloseSession();
        }
        std::ofstream f(tmp_ / ("out" + std::to_string(i)));
        f << "wins " << o.raceWins << "\n";
        for (auto& s : o.inD) f << "D " << s << "\n";
        for (auto& s : o.inE) f << "E " << s << "\n";
        if (!o.error.empty()) {
          f << "error " << o.error << "\n";
          code = 1;
        }
      }
      _exit(code);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  std::vector<Outcome> outs(procs);
  for (int i = 0; i < procs; i++) {
    std::ifstream f(tmp_ / ("out" + std::to_string(i)));
    std::string tag, rest;
    while (f >> tag && std::getline(f, rest)) {
      rest = rest.substr(1);
      if (tag == "wins") outs[i].raceWins = std::stoi(rest);
      if (tag == "D") outs[i].inD.insert(rest);
      if (tag == "E") outs[i].inE.insert(rest);
      if (tag == "error") outs[i].error = rest;
    }
  }
  VerifyOutcome(this, *meta_, d.ino, e.ino, outs, n);
}

}  // namespace
}  // namespace slicefs::metatest
