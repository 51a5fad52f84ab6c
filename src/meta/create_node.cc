// The shared body of Mknod, Mkdir, Create and Symlink.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

namespace {
int OpenMask(int flags) {
  int mask = 0;
  switch (flags & O_ACCMODE) {
    case O_RDONLY: mask = R_OK; break;
    case O_WRONLY: mask = W_OK; break;
    default: mask = R_OK | W_OK; break;
  }
  if (flags & O_TRUNC) mask |= W_OK;
  return mask;
}
}  // namespace

Result<Entry> MetaImpl::CreateNode(const Ctx& ctx, Ino parent, std::string_view name, FileType type,
                                   uint32_t mode, uint32_t cumask, uint32_t rdev, std::string_view target,
                                   int openFlags) {
  META_TRY(CheckWritable());
  META_TRY(CheckName(name));
  if (parent == kRootIno && name == ".trash") return Err(EEXIST, ".trash is reserved");
  META_TRY(CheckInodes(1));
  META_TRY(CheckQuota(parent, 0, 1, nullptr));
  ASSIGN_OR_RETURN(Ino ino, AllocInode());
  const int64_t now = NowNs();
  // A new file opened by Create is recorded as open in this session in the
  // same transaction (see op_open.cc).
  const uint64_t sid = session_.id();
  const bool record = openFlags >= 0 && type == FileType::kFile && sid != 0;
  Entry out;
  bool existed = false;
  TxnEffects fx;
  for (int attempt = 0;; attempt++) {
    Status st = kv_->txn([&](KvTxn& tx) -> Status {
      out = Entry{};
      existed = false;
      fx.Reset();
      ASSIGN_OR_RETURN(Attr pa, MustAttr(tx, parent));
      if (pa.type != FileType::kDir) return Status::Error(ENOTDIR, "parent is not a directory");
      META_TRY(CheckAccess(tx, ctx, pa, X_OK));
      ASSIGN_OR_RETURN(auto existing, LoadEntry(tx, parent, name));
      if (existing) {
        if (openFlags < 0 || (openFlags & O_EXCL)) return Status::Error(EEXIST, "name exists");
        ASSIGN_OR_RETURN(Attr ca, MustAttr(tx, existing->ino));
        if (ca.type == FileType::kDir) return Status::Error(EISDIR, "is a directory");
        META_TRY(CheckAccess(tx, ctx, ca, OpenMask(openFlags)));
        META_TRY(CheckFlagsAllowOpen(ca, openFlags));
        out = Entry{existing->ino, ca};
        existed = true;
        return Status::OK();
      }
      META_TRY(CheckAccess(tx, ctx, pa, W_OK | X_OK));
      Attr a;
      a.type = type;
      META_TRY(InheritAcl(tx, pa, a, mode, cumask));  // the umask, or the parent's default ACL
      if (type == FileType::kSymlink) a.mode = 0777;
      a.uid = ctx.uid;
      a.gid = ctx.gid;
      if (pa.mode & S_ISGID) {  // setgid directory: inherit its group
        a.gid = pa.gid;
        if (type == FileType::kDir) {
          a.mode |= S_ISGID;
        } else if ((a.mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && !ctx.isRoot() && !ctx.inGroup(a.gid)) {
          a.mode &= ~static_cast<uint32_t>(S_ISGID);
        }
      }
      a.atimeNs = a.mtimeNs = a.ctimeNs = now;
      a.nlink = type == FileType::kDir ? 2 : 1;
      a.length = type == FileType::kDir ? 4096 : (type == FileType::kSymlink ? target.size() : 0);
      a.rdev = (type == FileType::kBlockDev || type == FileType::kCharDev) ? rdev : 0;
      a.parent = parent;
      tx.put(keys::Entry(parent, name), EncodeEntry(type, ino));
      SaveAttr(tx, ino, a);
      if (type == FileType::kSymlink) tx.put(keys::Symlink(ino), target);
      if (record) tx.put(keys::SessionFile(sid, ino), "");
      pa.mtimeNs = pa.ctimeNs = now;
      if (type == FileType::kDir) pa.nlink++;
      SaveAttr(tx, parent, pa);
      fx.inodeDelta = 1;
      fx.Dir(parent, StatOf(a));
      if (type == FileType::kDir) fx.movedDirs.emplace_back(ino, parent);
      out = Entry{ino, a};
      return Status::OK();
    });
    if (!st.ok()) return Err(st);
    if (!existed) {
      Apply(fx);
      if (openFlags >= 0) RegisterOpen(out.ino, record);
      return out;
    }
    if (openFlags < 0) return out;
    // An existing file: open it the usual way (its record, if any, needs its
    // own transaction). Gone meanwhile (unlinked elsewhere): create again.
    auto a = Open(ctx, out.ino, openFlags);
    if (a) return Entry{out.ino, *a};
    if (!a.error().is(ENOENT) || attempt >= 3) return Err(a.error());
  }
}

Result<Entry> MetaImpl::Mknod(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode, uint32_t cumask,
                              uint32_t rdev) {
  auto type = TypeFromMode(mode);
  if ((mode & S_IFMT) == 0) type = FileType::kFile;  // mknod(2): 0 means regular
  if (!type) return Err(EINVAL, "unknown file type");
  if (*type == FileType::kDir) return Err(EPERM, "mknod cannot create directories");
  if (*type == FileType::kSymlink) return Err(EINVAL, "mknod cannot create symlinks");
  return CreateNode(ctx, parent, name, *type, mode, cumask, rdev, "", -1);
}

}  // namespace slicefs
