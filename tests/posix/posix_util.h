// Small helpers for the POSIX suite.
#pragma once

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "support/assert.h"
#include "support/mount.h"


namespace slicefs::testing {

inline struct stat Stat(const std::string& p) {
  struct stat st = {};
  if (::lstat(p.c_str(), &st) != 0) st.st_ino = 0;
  return st;
}

// fcntl(F_SETLK, or F_SETLKW when wait) of type on [start, start+len)
// (len 0: to the end of the file); returns fcntl's result.
inline int SetLk(int fd, short type, off_t start, off_t len, bool wait = false) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  return fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl);
}

inline int64_t Ns(const struct timespec& t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

// n bytes of test data for `seed` (PatternBytes with the mount suites'
// argument order).
inline std::string Pattern(size_t n, uint32_t seed) { return PatternBytes(seed, n); }

// FS_IOC_GETFLAGS of path (opened read-only, non-blocking): the flags, or
// -errno.
inline long GetInodeFlags(const std::string& p) {
  int fd = open(p.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0) return -errno;
  int f = 0;
  long r = ioctl(fd, FS_IOC_GETFLAGS, &f) == 0 ? f : -errno;
  close(fd);
  return r;
}
// FS_IOC_SETFLAGS of path: 0 or errno.
inline int SetInodeFlags(const std::string& p, int f) {
  int fd = open(p.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0) return errno;
  int r = ioctl(fd, FS_IOC_SETFLAGS, &f) == 0 ? 0 : errno;
  close(fd);
  return r;
}

}  // namespace slicefs::testing
