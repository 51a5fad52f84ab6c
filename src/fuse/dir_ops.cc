// FUSE callbacks for directory streams: opendir, readdir, readdirplus,
// releasedir, fsyncdir.
#include <vector>

#include "fuse/fuse_internal.h"

namespace slicefs::fusead {
namespace {

void OpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto fh = V(req).OpenDir(MakeCtx(req), ino);
  if (!fh) return ReplyErr(req, fh.error());
  fi->fh = *fh;
  fi->cache_readdir = 0;
  if (fuse_reply_open(req, fi) != 0) (void)V(req).ReleaseDir(*fh);
}

void ReadDirCommon(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  std::vector<char> buf(size);
  size_t used = 0;
  Status st = V(req).ReadDir(MakeCtx(req), fi->fh, static_cast<uint64_t>(off), plus,
                             [&](const DirEntry& e, uint64_t next) {
    size_t n;
    if (plus) {
      fuse_entry_param p;
      Entry ent{e.ino, e.attr.value_or(Attr{.type = e.type})};
      FillEntry(req, ent, &p);
      // "." and ".." (and entries whose attributes vanished) carry no
      // lookup reference.
      if (e.name == "." || e.name == ".." || !e.attr) p.ino = 0;
      n = fuse_add_direntry_plus(req, buf.data() + used, size - used, e.name.c_str(), &p, next);
    } else {
      struct stat s = {};
      s.st_ino = e.ino;
      s.st_mode = ModeTypeBits(e.type);
      n = fuse_add_direntry(req, buf.data() + used, size - used, e.name.c_str(), &s, next);
    }
    if (n > size - used) return false;
    used += n;
    return true;
  });
  if (!st.ok() && used == 0) return ReplyErr(req, st);
  fuse_reply_buf(req, buf.data(), used);
}

void ReadDir(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  ReadDirCommon(req, size, off, fi, false);
}

void ReadDirPlus(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  ReadDirCommon(req, size, off, fi, true);
}

void ReleaseDir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  ReplyErr(req, V(req).ReleaseDir(fi->fh));
}

// Directory changes are committed by each operation's own transaction.
void FsyncDir(fuse_req_t req, fuse_ino_t, int, fuse_file_info*) { fuse_reply_err(req, 0); }

}  // namespace

void AddDirOps(fuse_lowlevel_ops& ops) {
  ops.opendir = OpenDir;
  ops.readdir = ReadDir;
  ops.readdirplus = ReadDirPlus;
  ops.releasedir = ReleaseDir;
  ops.fsyncdir = FsyncDir;
}

}  // namespace slicefs::fusead
