// Differential test: one seeded random sequence of file-system operations is
// applied to a directory on the mount and to a directory on local disk; every
// result (data or errno) and the final trees must match.
//
// SLICEFS_DIFF_OPS overrides the number of operations (default 10000).
#include <dirent.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

class DifferentialTest : public MountedTest {};

std::string Res(ssize_t r) {
  if (r < 0) return "err:" + std::to_string(errno);
  return "ok:" + std::to_string(r);
}

// One operation, described and applied identically under either root.
struct Op {
  int kind = 0;
  std::string a, b;
  uint64_t off = 0, len = 0;
  uint32_t mode = 0, seed = 0;
  int flags = 0;

  std::string Describe() const {
    std::ostringstream s;
    s << "kind=" << kind << " a=" << a << " b=" << b << " off=" << off << " len=" << len
      << " mode=" << std::oct << mode << std::dec << " flags=" << flags;
    return s.str();
  }

  std::string Apply(const std::string& root) const {
    std::string pa = root + "/" + a, pb = root + "/" + b;
    switch (kind) {
      case 0: {  // write at offset (create if needed)
        int fd = open(pa.c_str(), O_WRONLY | O_CREAT | flags, 0644);
        if (fd < 0) return Res(-1);
        std::string data = Pattern(len, seed);
        ssize_t n = pwrite(fd, data.data(), data.size(), off);
        std::string r = Res(n);
        if (close(fd) != 0) r += " close:" + std::to_string(errno);
        return r;
      }
      case 1: {  // read
        int fd = open(pa.c_str(), O_RDONLY);
        if (fd < 0) return Res(-1);
        std::string buf(len, '\0');
        ssize_t n = pread(fd, buf.data(), buf.size(), off);
        close(fd);
        if (n < 0) return Res(-1);
        buf.resize(n);
        return "data:" + std::to_string(n) + ":" + std::to_string(std::hash<std::string>()(buf));
      }
      case 2: return Res(truncate(pa.c_str(), off));
      case 3: return Res(renameat2(AT_FDCWD, pa.c_str(), AT_FDCWD, pb.c_str(), flags));
      case 4: return Res(link(pa.c_str(), pb.c_str()));
      case 5: return Res(symlink(b.c_str(), pa.c_str()));
      case 6: {
        char buf[512];
        ssize_t n = readlink(pa.c_str(), buf, sizeof(buf));
        return n < 0 ? Res(-1) : "link:" + std::string(buf, n);
      }
      case 7: return Res(mkdir(pa.c_str(), mode));
      case 8: return Res(rmdir(pa.c_str()));
      case 9: return Res(unlink(pa.c_str()));
      case 10: return Res(chmod(pa.c_str(), mode));
      case 11: return Res(setxattr(pa.c_str(), b.c_str(), a.data(), a.size() % 7, flags));
      case 12: {
        char buf[256];
        ssize_t n = getxattr(pa.c_str(), b.c_str(), buf, sizeof(buf));
        return n < 0 ? Res(-1) : "xattr:" + std::string(buf, n);
      }
      case 13: return Res(removexattr(pa.c_str(), b.c_str()));
      case 14: {  // listing
        DIR* d = opendir(pa.c_str());
        if (!d) return Res(-1);
        std::vector<std::string> names;
        while (auto* e = readdir(d)) names.push_back(std::string(e->d_name) + "/" + std::to_string(e->d_type));
        closedir(d);
        std::sort(names.begin(), names.end());
        std::string s = "ls:";
        for (auto& n : names) s += n + ",";
        return s;
      }
      case 15: {  // lstat
        struct stat st;
        if (lstat(pa.c_str(), &st) != 0) return Res(-1);
        std::ostringstream s;
        s << "stat:" << std::oct << st.st_mode << std::dec << ":" << st.st_nlink;
        if (!S_ISDIR(st.st_mode)) s << ":" << st.st_size;
        return s.str();
      }
      case 16: {  // listxattr (as a set)
        char buf[4096];
        ssize_t n = listxattr(pa.c_str(), buf, sizeof(buf));
        if (n < 0) return Res(-1);
        std::set<std::string> names;
        for (ssize_t i = 0; i < n; i += strlen(buf + i) + 1) names.insert(buf + i);
        std::string s = "lx:";
        for (auto& x : names) s += x + ",";
        return s;
      }
      case 17: {  // exclusive create
        int fd = open(pa.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
        if (fd < 0) return Res(-1);
        close(fd);
        return "ok";
      }
    }
    return "?";
  }
};

std::string RandomPath(std::mt19937_64& rng) {
  static const char* names[] = {"a", "b", "c", "d", "e", "f"};
  int depth = 1 + rng() % 3;
  std::string p;
  for (int i = 0; i < depth; i++) {
    if (i) p += "/";
    p += names[rng() % 6];
  }
  return p;
}

Op RandomOp(std::mt19937_64& rng) {
  Op op;
  int r = rng() % 100;
  op.a = RandomPath(rng);
  op.seed = static_cast<uint32_t>(rng());
  if (r < 22) {
    op.kind = 0;
    op.off = rng() % 4 == 0 ? 0 : rng() % 300000;
    op.len = 1 + (rng() % 20 == 0 ? rng() % (1 << 20) : rng() % 70000);
    int f = rng() % 10;
    op.flags = f == 0 ? O_APPEND : f == 1 ? O_TRUNC : 0;
  } else if (r < 36) {
    op.kind = 1;
    op.off = rng() % 350000;
    op.len = 1 + rng() % 200000;
  } else if (r < 41) {
    op.kind = 2;
    op.off = rng() % 400000;
  } else if (r < 48) {
    op.kind = 3;
    op.b = RandomPath(rng);
    int f = rng() % 8;
    op.flags = f == 0 ? RENAME_NOREPLACE : f == 1 ? RENAME_EXCHANGE : 0;
  } else if (r < 51) {
    op.kind = 4;
    op.b = RandomPath(rng);
  } else if (r < 54) {
    op.kind = 5;
    op.b = rng() % 2 ? RandomPath(rng) : "../" + RandomPath(rng);
  } else if (r < 56) {
    op.kind = 6;
  } else if (r < 64) {
    op.kind = 7;
    op.mode = rng() % 5 == 0 ? 0700 : 0755;
  } else if (r < 68) {
    op.kind = 8;
  } else if (r < 72) {
    op.kind = 9;
  } else if (r < 75) {
    op.kind = 10;
    op.mode = rng() % 0777;
  } else if (r < 79) {
    op.kind = 11;
    op.b = "user.x" + std::to_string(rng() % 3);
    int f = rng() % 4;
    op.flags = f == 0 ? XATTR_CREATE : f == 1 ? XATTR_REPLACE : 0;
  } else if (r < 82) {
    op.kind = 12;
    op.b = "user.x" + std::to_string(rng() % 3);
  } else if (r < 84) {
    op.kind = 13;
    op.b = "user.x" + std::to_string(rng() % 3);
  } else if (r < 90) {
    op.kind = 14;
    op.a = rng() % 3 == 0 ? "." : op.a;
  } else if (r < 96) {
    op.kind = 15;
  } else if (r < 98) {
    op.kind = 16;
  } else {
    op.kind = 17;
    op.mode = 0600;
  }
  return op;
}

// A canonical description of a whole tree: types, modes, link counts,
// sizes, contents, link targets and xattrs.
void Walk(const std::string& root, const std::string& rel, std::map<std::string, std::string>* out) {
  for (auto& n : DirNames(rel.empty() ? root : root + "/" + rel)) {
    std::string r = rel.empty() ? n : rel + "/" + n;
    std::string full = root + "/" + r;
    struct stat st;
    if (lstat(full.c_str(), &st) != 0) continue;
    std::ostringstream s;
    s << std::oct << st.st_mode << std::dec << " nlink=" << st.st_nlink;
    if (S_ISREG(st.st_mode)) {
      s << " size=" << st.st_size << " sha=" << FileDigest(full);
    } else if (S_ISLNK(st.st_mode)) {
      char buf[512];
      ssize_t k = readlink(full.c_str(), buf, sizeof(buf));
      s << " -> " << std::string(buf, k < 0 ? 0 : k);
    }
    if (!S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t k = listxattr(full.c_str(), buf, sizeof(buf));
      std::set<std::string> xs;
      for (ssize_t i = 0; i < k; i += strlen(buf + i) + 1) {
        char v[256];
        ssize_t vl = getxattr(full.c_str(), buf + i, v, sizeof(v));
        xs.insert(std::string(buf + i) + "=" + std::string(v, vl < 0 ? 0 : vl));
      }
      for (auto& x : xs) s << " " << x;
    }
    (*out)[r] = s.str();
    if (S_ISDIR(st.st_mode)) Walk(root, r, out);
  }
}

TEST_F(DifferentialTest, RandomOperationsMatchLocalDisk) {
  uint64_t seed = TestSeed("DifferentialTest.RandomOperationsMatchLocalDisk");
  int ops = 10000;
  if (const char* e = std::getenv("SLICEFS_DIFF_OPS")) ops = std::atoi(e);
  // Symlink targets may climb out of the root ("../a/b"); give both roots a
  // parent that holds nothing else, so such targets resolve alike.
  TempDir localParent("slicefs-diff-local");
  const std::string localRoot = localParent.path() + "/t", mountRoot = dir_ + "/t";
  ASSERT_EQ(mkdir(localRoot.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(mountRoot.c_str(), 0755), 0);
  std::mt19937_64 rng(seed);
  int mismatches = 0;
  std::map<int, int> perKind;
  for (int i = 0; i < ops; i++) {
    Op op = RandomOp(rng);
    perKind[op.kind]++;
    std::string want = op.Apply(localRoot);
    std::string got = op.Apply(mountRoot);
    if (want != got) {
      if (++mismatches <= 20) {
        ADD_FAILURE() << "op " << i << " (" << op.Describe() << "): local=" << want << " mount=" << got;
      }
    }
  }
  std::map<std::string, std::string> treeLocal, treeMount;
  Walk(localRoot, "", &treeLocal);
  Walk(mountRoot, "", &treeMount);
  int treeDiffs = 0;
  std::set<std::string> all;
  for (auto& [k, v] : treeLocal) all.insert(k);
  for (auto& [k, v] : treeMount) all.insert(k);
  for (auto& k : all) {
    if (treeLocal[k] != treeMount[k]) {
      if (++treeDiffs <= 20) ADD_FAILURE() << "tree differs at " << k << ": local=" << treeLocal[k] << " mount=" << treeMount[k];
    }
  }
  std::fprintf(stderr, "differential: seed=%llu ops=%d entries=%zu mismatches=%d tree_mismatches=%d\n",
               (unsigned long long)seed, ops, treeLocal.size(), mismatches, treeDiffs);
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(treeDiffs, 0);
  EXPECT_GT(treeLocal.size(), 5u) << "the sequence should leave a non-trivial tree";
}

}  // namespace
}  // namespace slicefs::testing
