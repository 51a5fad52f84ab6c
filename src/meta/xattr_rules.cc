#include "meta/xattr_rules.h"

#include <sys/stat.h>
#include <unistd.h>

#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

Status CheckXattrName(std::string_view name) {
  if (name.empty() || name.size() > kMaxXattrNameLen) return Status::Error(ERANGE, "bad xattr name length");
  for (std::string_view ns : {"user.", "trusted.", "security.", "system."}) {
    if (name.starts_with(ns) && name.size() > ns.size()) return Status::OK();
  }
  return Status::Error(EOPNOTSUPP, "xattr name needs a namespace prefix (user., trusted., security., system.)");
}

Status CheckXattrAccess(KvTxn& tx, const Ctx& ctx, const Attr& a, std::string_view name, bool write) {
  if (write) META_TRY(CheckNotFlagged(a, "xattr change"));
  if (name.starts_with("trusted.")) {
    if (!ctx.isRoot()) return Status::Error(write ? EPERM : ENODATA, "trusted xattrs are root only");
    return Status::OK();
  }
  if (name.starts_with("user.")) {
    if (a.type != FileType::kFile && a.type != FileType::kDir)
      return Status::Error(write ? EPERM : ENODATA, "user xattrs only on files and directories");
    if (write && a.type == FileType::kDir && (a.mode & S_ISVTX) && !ctx.isRoot() && ctx.uid != a.uid)
      return Status::Error(EPERM, "sticky directory: not the owner");
    return MetaImpl::CheckAccess(tx, ctx, a, write ? W_OK : R_OK);
  }
  if (write && !ctx.isRoot() && ctx.uid != a.uid) return Status::Error(EPERM, "not the owner");
  return Status::OK();
}

}  // namespace slicefs
