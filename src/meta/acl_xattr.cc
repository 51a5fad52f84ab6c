// The ACL xattrs, system.posix_acl_access and system.posix_acl_default, as
// Linux filesystems implement them: values are built from the inode's mode
// and its stored rules (never kept as X keys); setting an access ACL sets
// the mode (mask = group bits) and drops a rule equivalent to the mode; on
// a volume without --enable-acl a minimal access ACL is a chmod and
// anything else is EOPNOTSUPP.
#include <sys/stat.h>

#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

namespace {

Status NoAcls() {
  return Status::Error(EOPNOTSUPP, "this volume has no POSIX ACLs (slicefs config --enable-acl, then remount)");
}

// Linux's posix_acl_update_mode / set_posix_acl rules for who may set.
Status CheckAclChange(const Ctx& ctx, const Attr& a) {
  if (a.type == FileType::kSymlink) return Status::Error(EOPNOTSUPP, "symlinks have no ACLs");
  META_TRY(CheckNotFlagged(a, "ACL change"));
  if (!ctx.isRoot() && ctx.uid != a.uid) return Status::Error(EPERM, "only the owner may change an ACL");
  return Status::OK();
}

// The mode after setting an access ACL with these 9 bits (the set-group-ID
// bit is dropped for a caller outside the group, as chmod does).
uint32_t ModeFor(const Ctx& ctx, const Attr& a, uint32_t bits) {
  uint32_t mode = (a.mode & 07000) | (bits & 0777);
  if (!ctx.isRoot() && !ctx.inGroup(a.gid)) mode &= ~static_cast<uint32_t>(S_ISGID);
  return mode;
}

}  // namespace

Result<std::string> MetaImpl::GetAclXattr(KvTxn& tx, const Attr& a, std::string_view name) {
  const bool access = name == acl::kAccessXattr;
  const uint32_t id = access ? a.accessAcl : a.defaultAcl;
  if (id == 0) {
    if (!fmt_.enableAcl) return Err(NoAcls());
    return Err(ENODATA, "no ACL");
  }
  ASSIGN_OR_RETURN(acl::Acl rule, LoadAclRule(tx, id));
  return acl::ToXattr(access ? acl::AccessWithMode(rule, a.mode) : rule);
}

Status MetaImpl::SetAclXattr(KvTxn& tx, const Ctx& ctx, Attr& a, std::string_view name, std::string_view value,
                             int flags) {
  (void)flags;  // as Linux: XATTR_CREATE/REPLACE do not apply to ACLs
  META_TRY(CheckAclChange(ctx, a));
  if (value.empty()) return RemoveAclXattr(tx, ctx, a, name);  // setxattr(NULL) removes
  ASSIGN_OR_RETURN(acl::Acl full, acl::ParseXattr(value));
  if (name == acl::kAccessXattr) {
    if (!fmt_.enableAcl && !full.Minimal()) return NoAcls();
    a.mode = ModeFor(ctx, a, full.ModeBits());
    uint32_t id = 0;
    if (!full.Minimal()) {
      ASSIGN_OR_RETURN(id, InternAcl(tx, acl::StoredAccess(full)));
    }
    META_TRY(AddAclRef(tx, a.accessAcl, -1));
    a.accessAcl = id;
    return Status::OK();
  }
  if (!fmt_.enableAcl) return NoAcls();
  if (a.type != FileType::kDir) return Status::Error(EACCES, "only directories have a default ACL");
  ASSIGN_OR_RETURN(uint32_t id, InternAcl(tx, full));
  META_TRY(AddAclRef(tx, a.defaultAcl, -1));
  a.defaultAcl = id;
  return Status::OK();
}

Status MetaImpl::RemoveAclXattr(KvTxn& tx, const Ctx& ctx, Attr& a, std::string_view name) {
  META_TRY(CheckAclChange(ctx, a));
  uint32_t& id = name == acl::kAccessXattr ? a.accessAcl : a.defaultAcl;
  // Removing an absent ACL succeeds, as on ext4 (and on a volume without
  // ACLs, where cp -a removes a directory's default ACL after setting its
  // minimal access ACL); the mode stays as it is.
  META_TRY(AddAclRef(tx, id, -1));
  id = 0;
  return Status::OK();
}

}  // namespace slicefs
