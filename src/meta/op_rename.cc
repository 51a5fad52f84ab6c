// Rename with POSIX overwrite rules, RENAME_NOREPLACE and RENAME_EXCHANGE.
#include <unistd.h>

#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

namespace {
Status CheckRenameName(std::string_view name) {
  if (name.empty()) return Status::Error(ENOENT, "empty name");
  if (name.size() > kMaxNameLen) return Status::Error(ENAMETOOLONG, "name longer than 255 bytes");
  if (name == "." || name == "..") return Status::Error(EBUSY, "cannot rename . or ..");
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos)
    return Status::Invalid("name contains '/' or NUL");
  return Status::OK();
}

// Moves the parent bookkeeping of `a` (inode ino) from directory `from` to `to`.
Status MoveParent(KvTxn& tx, Ino ino, Attr& a, Ino from, Ino to) {
  if (from == to) return Status::OK();
  if (a.parent != 0) {
    a.parent = to;
    return Status::OK();
  }
  std::string fk = keys::Parent(ino, from), tk = keys::Parent(ino, to);
  ASSIGN_OR_RETURN(auto fv, tx.get(fk));
  int64_t f = (fv ? DecodeCounter(*fv) : 0) - 1;
  if (f > 0) {
    tx.put(fk, EncodeCounter(f));
  } else {
    tx.del(fk);
  }
  ASSIGN_OR_RETURN(auto tv, tx.get(tk));
  tx.put(tk, EncodeCounter((tv ? DecodeCounter(*tv) : 0) + 1));
  return Status::OK();
}

// EINVAL if `dir` is `dir` itself or one of the ancestors of `start`.
Status CheckNotAncestor(KvTxn& tx, Ino dir, Ino start) {
  Ino cur = start;
  for (int depth = 0; depth < 100000; depth++) {
    if (cur == dir) return Status::Invalid("cannot move a directory under itself");
    if (cur == kRootIno) return Status::OK();
    ASSIGN_OR_RETURN(Attr a, MetaImpl::MustAttr(tx, cur));
    if (a.parent == 0 || a.parent == cur) return Status::OK();
    cur = a.parent;
  }
  return Status::IOError("directory tree too deep or cyclic");
}
}  // namespace

Status MetaImpl::Rename(const Ctx& ctx, Ino sp, std::string_view sn, Ino dp, std::string_view dn, uint32_t flags) {
  META_TRY(CheckWritable());
  if (flags & ~(kRenameNoReplace | kRenameExchange)) return Status::Invalid("unknown rename flags");
  if ((flags & kRenameNoReplace) && (flags & kRenameExchange))
    return Status::Invalid("RENAME_NOREPLACE and RENAME_EXCHANGE together");
  META_TRY(CheckRenameName(sn));
  META_TRY(CheckRenameName(dn));
  if ((sp == kRootIno && sn == ".trash") || (dp == kRootIno && dn == ".trash"))
    return Status::Error(EPERM, ".trash cannot be renamed or replaced");
  const bool exchange = flags & kRenameExchange;
  const int64_t now = NowNs();
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    ASSIGN_OR_RETURN(Attr spa, MustAttr(tx, sp));
    if (spa.type != FileType::kDir) return Status::Error(ENOTDIR, "source parent is not a directory");
    META_TRY(CheckAccess(tx, ctx, spa, X_OK));
    Attr dpaStore;
    if (dp != sp) {
      ASSIGN_OR_RETURN(dpaStore, MustAttr(tx, dp));
      if (dpaStore.type != FileType::kDir) return Status::Error(ENOTDIR, "target parent is not a directory");
      META_TRY(CheckAccess(tx, ctx, dpaStore, X_OK));
    }
    Attr& dpa = dp == sp ? spa : dpaStore;
    ASSIGN_OR_RETURN(auto se, LoadEntry(tx, sp, sn));
    if (!se) return Status::Error(ENOENT, "source does not exist");
    ASSIGN_OR_RETURN(auto de, LoadEntry(tx, dp, dn));
    META_TRY(CheckAccess(tx, ctx, spa, W_OK | X_OK));
    META_TRY(CheckAccess(tx, ctx, dpa, W_OK | X_OK));
    ASSIGN_OR_RETURN(Attr sa, MustAttr(tx, se->ino));
    META_TRY(CheckSticky(ctx, spa, sa));
    META_TRY(CheckFlagsAllowDelete(spa, sa));
    const bool srcDir = sa.type == FileType::kDir;
    Attr da;
    bool dstDir = false;
    if (de) {
      if (flags & kRenameNoReplace) return Status::Error(EEXIST, "target exists");
      if (de->ino == se->ino) return Status::OK();  // same inode: nothing to do
      ASSIGN_OR_RETURN(da, MustAttr(tx, de->ino));
      dstDir = da.type == FileType::kDir;
      META_TRY(CheckSticky(ctx, dpa, da));
      META_TRY(CheckFlagsAllowDelete(dpa, da));
      if (!exchange) {
        if (srcDir && !dstDir) return Status::Error(ENOTDIR, "target is not a directory");
        if (!srcDir && dstDir) return Status::Error(EISDIR, "target is a directory");
      }
    } else if (exchange) {
      return Status::Error(ENOENT, "exchange target does not exist");
    }
    if (sp != dp) {
      if (srcDir) {
        META_TRY(CheckNotAncestor(tx, se->ino, dp));
        if (!ctx.isRoot()) META_TRY(CheckAccess(tx, ctx, sa, W_OK));
      }
      if (exchange && dstDir) {
        META_TRY(CheckNotAncestor(tx, de->ino, sp));
        if (!ctx.isRoot()) META_TRY(CheckAccess(tx, ctx, da, W_OK));
      }
    }
    if (sp != dp) META_TRY(CheckRenameQuotas(tx, se->ino, sa, de ? &da : nullptr, exchange, sp, dp, fx));
    if (de && !exchange && dstDir) {
      ASSIGN_OR_RETURN(bool empty, DirIsEmpty(tx, de->ino));
      if (!empty) return Status::Error(ENOTEMPTY, "target directory not empty");
    }

    if (exchange) {
      tx.put(keys::Entry(sp, sn), EncodeEntry(da.type, de->ino));
      tx.put(keys::Entry(dp, dn), EncodeEntry(sa.type, se->ino));
      META_TRY(MoveParent(tx, se->ino, sa, sp, dp));
      META_TRY(MoveParent(tx, de->ino, da, dp, sp));
      if (sp != dp && srcDir != dstDir) {
        if (srcDir) {
          spa.nlink--;
          dpa.nlink++;
        } else {
          spa.nlink++;
          dpa.nlink--;
        }
      }
      if (sp != dp) {
        DirStat d = StatOf(da);
        d += -StatOf(sa);
        fx.Dir(sp, d);
        fx.Dir(dp, -d);
        if (srcDir) fx.movedDirs.emplace_back(se->ino, dp);
        if (dstDir) fx.movedDirs.emplace_back(de->ino, sp);
      }
      da.ctimeNs = now;
      SaveAttr(tx, de->ino, da);
    } else {
      if (de) {
        META_TRY(DropLink(tx, dp, dn, de->ino, da, now, fx));
        if (dstDir) dpa.nlink--;
      }
      tx.del(keys::Entry(sp, sn));
      tx.put(keys::Entry(dp, dn), EncodeEntry(sa.type, se->ino));
      META_TRY(MoveParent(tx, se->ino, sa, sp, dp));
      if (sp != dp) {
        fx.Dir(sp, -StatOf(sa));
        fx.Dir(dp, StatOf(sa));
        if (srcDir) fx.movedDirs.emplace_back(se->ino, dp);
      }
      if (srcDir && sp != dp) {
        spa.nlink--;
        dpa.nlink++;
      }
    }
    sa.ctimeNs = now;
    SaveAttr(tx, se->ino, sa);
    spa.mtimeNs = spa.ctimeNs = now;
    SaveAttr(tx, sp, spa);
    if (dp != sp) {
      dpa.mtimeNs = dpa.ctimeNs = now;
      SaveAttr(tx, dp, dpa);
    }
    return Status::OK();
  }));
  Apply(fx);
  return Status::OK();
}

}  // namespace slicefs
