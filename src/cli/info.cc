// slicefs info PATH... [-r]: where a file's bytes live. For a file: its
// inode, length and a table of chunk index, slice id, pos, offset, length
// and the object keys holding those bytes; -r on a directory: a summary of
// the tree (files, dirs, bytes). The volume is opened read-only through the
// meta URL that the mount publishes on its root (user.slicefs.meta_url).
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <functional>

#include "cli/command.h"
#include "cli/mount_util.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

std::unique_ptr<Volume> OpenVolume(const std::string& metaUrl) {
  VolumeOptions vo;
  vo.readOnly = true;
  return Check(Volume::Open(metaUrl, vo));
}

const char* TypeName(FileType t) {
  switch (t) {
    case FileType::kFile: return "file";
    case FileType::kDir: return "directory";
    case FileType::kSymlink: return "symlink";
    case FileType::kFifo: return "fifo";
    case FileType::kBlockDev: return "block device";
    case FileType::kCharDev: return "char device";
    case FileType::kSocket: return "socket";
  }
  return "?";
}

void FileTable(Volume& v, Ino ino, const Attr& a) {
  uint64_t bs = uint64_t(v.meta().format().blockSizeKiB) << 10;
  uint32_t chunks = static_cast<uint32_t>((a.length + kChunkSize - 1) / kChunkSize);
  std::printf("  chunks:\n");
  std::printf("  %6s %12s %10s %10s %10s  %s\n", "chunk", "slice", "pos", "offset", "length", "objects");
  for (uint32_t i = 0; i < chunks; i++) {
    auto recs = Check(v.meta().ReadChunk(ino, i), "reading chunk " + std::to_string(i));
    for (const auto& r : recs) {
      std::printf("  %6u %12llu %10u %10u %10u", i, (unsigned long long)r.id, r.pos, r.off, r.len);
      if (r.id == 0 || r.len == 0) {
        std::printf("  (hole)\n");
        continue;
      }
      uint64_t first = r.off / bs, last = (uint64_t(r.off) + r.len - 1) / bs;
      for (uint64_t b = first; b <= last; b++) {
        uint64_t blen = std::min<uint64_t>(bs, r.size - b * bs);
        std::printf("%s%s\n", b == first ? "  " : std::string(58, ' ').c_str(),
                    v.data().BlockKey(r.id, static_cast<uint32_t>(b), static_cast<uint32_t>(blen)).c_str());
      }
    }
  }
}

void Summary(Volume& v, Ino dir) {
  uint64_t files = 0, dirs = 1, bytes = 0;
  Ctx root = Ctx::Root();
  std::function<void(Ino)> walk = [&](Ino d) {
    std::string after;
    while (true) {
      auto batch = Check(v.meta().Readdir(root, d, after, 1000, true), "listing");
      for (auto& e : batch) {
        if (e.type == FileType::kDir) {
          dirs++;
          walk(e.ino);
        } else {
          files++;
          if (e.attr) bytes += e.attr->length;
        }
      }
      if (batch.size() < 1000) break;
      after = batch.back().name;
    }
  };
  walk(dir);
  std::printf("  files: %llu\n  dirs: %llu\n  bytes: %llu\n", (unsigned long long)files,
              (unsigned long long)dirs, (unsigned long long)bytes);
}

void Run(const std::vector<std::string>& paths, bool recursive) {
  for (const auto& path : paths) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) throw CommandError(path + ": " + std::strerror(errno));
    auto rootDir = FindMountRoot(path);
    if (!rootDir) throw CommandError(rootDir.error().message());
    auto url = MountXattr(*rootDir, std::string(kXattrMetaUrl));
    if (!url) throw CommandError("cannot read the volume address from " + *rootDir);
    auto v = OpenVolume(*url);
    Ino ino = st.st_ino;
    auto a = Check(v->meta().GetAttr(Ctx::Root(), ino), path);
    std::printf("%s:\n  inode: %llu\n  type: %s\n  size: %llu\n", path.c_str(),
                (unsigned long long)ino, TypeName(a.type), (unsigned long long)a.length);
    if (a.type == FileType::kFile) FileTable(*v, ino, a);
    if (a.type == FileType::kDir && recursive) Summary(*v, ino);
  }
}

void Setup(CLI::App& app) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto rec = std::make_shared<bool>(false);
  auto* c = app.add_subcommand("info", "show a file's inode, chunks, slices and object keys");
  c->add_option("PATH", *paths, "files or directories inside a mount")->required();
  c->add_flag("-r,--recursive", *rec, "summarize a directory tree (files, dirs, bytes)");
  c->callback([=] { Run(*paths, *rec); });
}

}  // namespace

REGISTER_COMMAND("info", Setup);

}  // namespace slicefs::cli
