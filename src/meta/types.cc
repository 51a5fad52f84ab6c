#include "meta/types.h"

#include <sys/stat.h>

#include <algorithm>

namespace slicefs {

uint32_t ModeTypeBits(FileType t) {
  switch (t) {
    case FileType::kFile: return S_IFREG;
    case FileType::kDir: return S_IFDIR;
    case FileType::kSymlink: return S_IFLNK;
    case FileType::kFifo: return S_IFIFO;
    case FileType::kBlockDev: return S_IFBLK;
    case FileType::kCharDev: return S_IFCHR;
    case FileType::kSocket: return S_IFSOCK;
  }
  return 0;
}

std::optional<FileType> TypeFromMode(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return FileType::kFile;
    case S_IFDIR: return FileType::kDir;
    case S_IFLNK: return FileType::kSymlink;
    case S_IFIFO: return FileType::kFifo;
    case S_IFBLK: return FileType::kBlockDev;
    case S_IFCHR: return FileType::kCharDev;
    case S_IFSOCK: return FileType::kSocket;
    default: return std::nullopt;
  }
}

bool Ctx::inGroup(uint32_t g) const {
  return gid == g || std::find(gids.begin(), gids.end(), g) != gids.end();
}

}  // namespace slicefs
