// Helpers of the dump suite: building a volume through a real mount with
// every kind of metadata, and a digest of a mounted tree that a correct
// dump/load reproduces exactly.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "mount/mount_util.h"  // REQUIRE_FUSE
#include "support/mount.h"
#include "support/test_util.h"

namespace slicefs::testing {

// path -> "kind mode uid gid nlink size mtime [target|sha256] xattrs [link group]"
// for everything under root, the trash included (its listing is by name).
inline void DigestTree(const std::string& root, const std::string& rel, std::map<std::string, std::string>* out,
                       std::map<ino_t, std::string>* firstPath) {
  std::string p = rel.empty() ? root : root + "/" + rel;
  DIR* d = opendir(p.c_str());
  if (!d) {
    (*out)[rel + "/"] = "unreadable";
    return;
  }
  std::vector<std::string> names;
  while (auto* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());  // the same walk order everywhere (hard-link groups)
  for (auto& n : names) {
    std::string r = rel.empty() ? n : rel + "/" + n;
    std::string full = root + "/" + r;
    struct stat st;
    if (lstat(full.c_str(), &st) != 0) {
      (*out)[r] = "lstat failed";
      continue;
    }
    std::string v = std::to_string(st.st_mode) + " " + std::to_string(st.st_uid) + " " + std::to_string(st.st_gid) +
                    " " + std::to_string(st.st_nlink) + " " + std::to_string(st.st_size) + " " +
                    std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t k = readlink(full.c_str(), buf, sizeof buf);
      v += " -> " + std::string(buf, k > 0 ? static_cast<size_t>(k) : 0);
    } else if (S_ISREG(st.st_mode)) {
      v += " " + FileDigest(full);
      v += " blocks " + std::to_string(st.st_blocks > 0);
    }
    char names[4096];
    ssize_t nl = llistxattr(full.c_str(), names, sizeof names);
    for (ssize_t i = 0; i < nl;) {
      std::string xn(names + i);
      i += static_cast<ssize_t>(xn.size()) + 1;
      char val[4096];
      ssize_t vl = lgetxattr(full.c_str(), xn.c_str(), val, sizeof val);
      v += " [" + xn + "=" + std::string(val, vl > 0 ? static_cast<size_t>(vl) : 0) + "]";
    }
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      auto [it, fresh] = firstPath->emplace(st.st_ino, r);
      v += " same-inode-as " + it->second;  // hard links: the first path seen
    }
    (*out)[r] = v;
    if (S_ISDIR(st.st_mode)) DigestTree(root, r, out, firstPath);
  }
}

inline std::map<std::string, std::string> Digest(const std::string& mnt) {
  std::map<std::string, std::string> out;
  std::map<ino_t, std::string> first;
  DigestTree(mnt, "", &out, &first);
  std::map<std::string, std::string> trash;
  DigestTree(mnt + "/.trash", "", &trash, &first);
  for (auto& [k, v] : trash) out[".trash/" + k] = v;
  return out;
}

inline bool WriteAt(const std::string& path, off_t off, const std::string& data, bool sync = false) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd < 0) return false;
  bool ok = pwrite(fd, data.data(), data.size(), off) == static_cast<ssize_t>(data.size());
  if (sync) ok = ok && fsync(fd) == 0;
  return close(fd) == 0 && ok;
}

inline std::string Bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(&s[i], &v, 8);
  }
  return s;
}

// Fills a mounted volume (trash enabled) with a nested tree, hard links,
// symlinks, xattrs, a dense multi-chunk file, a sparse file, a fragmented
// file and trash content. Returns false (with *why) on a failed call.
inline bool BuildVolume(const std::string& m, std::string* why) {
  auto fail = [&](const std::string& what) {
    *why = what + ": " + std::strerror(errno);
    return false;
  };
  for (const char* d : {"a", "a/b", "a/b/c", "a/b/c/d", "empty", "perm"})
    if (mkdir((m + "/" + d).c_str(), 0755) != 0) return fail(std::string("mkdir ") + d);
  for (int i = 0; i < 40; i++) {
    std::string f = m + "/a/b/f" + std::to_string(i);
    if (!WriteAt(f, 0, Bytes(static_cast<size_t>(i) * 1000 + 1, i))) return fail("write " + f);
  }
  if (!WriteAt(m + "/a/b/c/d/deep", 0, "deep file\n")) return fail("deep");
  if (link((m + "/a/b/f1").c_str(), (m + "/a/hard1").c_str()) != 0) return fail("link");
  if (link((m + "/a/b/f1").c_str(), (m + "/hard2").c_str()) != 0) return fail("link 2");
  if (symlink("b/f2", (m + "/a/sym").c_str()) != 0) return fail("symlink");
  if (symlink("/nowhere/at/all", (m + "/dangling").c_str()) != 0) return fail("symlink 2");
  if (setxattr((m + "/a/b/f3").c_str(), "user.color", "blue", 4, 0) != 0) return fail("setxattr");
  if (setxattr((m + "/a").c_str(), "user.dir", "yes", 3, 0) != 0) return fail("setxattr dir");
  if (!WriteAt(m + "/perm/owned", 0, "x")) return fail("owned");
  if (chown((m + "/perm/owned").c_str(), 1234, 5678) != 0) return fail("chown");
  if (chmod((m + "/perm/owned").c_str(), 04751) != 0) return fail("chmod");
  if (chmod((m + "/perm").c_str(), 0711) != 0) return fail("chmod dir");
  struct timespec ts[2] = {{1000000000, 123456789}, {1500000000, 987654321}};
  if (utimensat(AT_FDCWD, (m + "/perm/owned").c_str(), ts, 0) != 0) return fail("utimensat");
  if (mkfifo((m + "/perm/fifo").c_str(), 0640) != 0) return fail("mkfifo");
  // Dense multi-chunk: 66 MiB crosses the first 64 MiB chunk boundary.
  if (!WriteAt(m + "/big", 0, Bytes(66 << 20, 99))) return fail("big");
  // Sparse: data in chunks 0 and 2 only, a hole between.
  if (!WriteAt(m + "/sparse", 0, Bytes(100000, 5)) || !WriteAt(m + "/sparse", (130LL << 20) + 17, Bytes(5000, 6)))
    return fail("sparse");
  // Fragmented: many overlapping committed writes.
  std::mt19937 rng(3);
  for (int i = 0; i < 150; i++) {
    off_t off = static_cast<off_t>(rng() % 200000);
    if (!WriteAt(m + "/frag", off, Bytes(1 + rng() % 30000, 1000 + i), true)) return fail("frag");
  }
  // Trash: a deleted file waits in .trash.
  if (!WriteAt(m + "/a/doomed", 0, Bytes(12345, 77))) return fail("doomed");
  if (unlink((m + "/a/doomed").c_str()) != 0) return fail("unlink");
  return true;
}

// Formats and mounts m, then BuildVolume in it: "" or what failed.
inline std::string FormatMountAndBuild(TestMount& m) {
  Status st = m.Format();
  if (st.ok()) st = m.Mount();
  if (!st.ok()) return st.ToString();
  std::string why;
  return BuildVolume(m.path(), &why) ? "" : why;
}

}  // namespace slicefs::testing
