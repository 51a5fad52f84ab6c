// The ACL rule table (docs/formats.md, "ACL rules"): RA{id} holds a rule
// and never changes while it exists, RC{id} counts the inodes (slots) that
// use it, RH{hash} lists the ids whose rule has that hash, so a rule
// already stored is found and shared instead of stored again.
#include <sys/stat.h>

#include "common/encoding.h"
#include "meta/acl_rules.h"
#include "meta/meta_impl.h"

namespace slicefs {

namespace {

std::vector<uint32_t> DecodeIds(std::string_view v) {
  std::vector<uint32_t> ids;
  for (size_t off = 0; off + 4 <= v.size(); off += 4) ids.push_back(GetBE32(v, off));
  return ids;
}

std::string EncodeIds(const std::vector<uint32_t>& ids) {
  std::string v;
  for (uint32_t id : ids) PutBE32(v, id);
  return v;
}

}  // namespace

Result<acl::Acl> MetaImpl::LoadAclRule(KvTxn& tx, uint32_t id) {
  ASSIGN_OR_RETURN(auto v, tx.get(keys::AclRule(id)));
  if (!v) return Err(EIO, "inode refers to ACL rule " + std::to_string(id) + ", which does not exist (run fsck)");
  return acl::DecodeRule(*v);
}

Result<uint32_t> MetaImpl::InternAcl(KvTxn& tx, const acl::Acl& rule) {
  const std::string enc = acl::EncodeRule(rule);
  const std::string hkey = keys::AclHash(acl::RuleHash(enc));
  ASSIGN_OR_RETURN(auto hv, tx.get(hkey));
  std::vector<uint32_t> ids = hv ? DecodeIds(*hv) : std::vector<uint32_t>{};
  for (uint32_t id : ids) {
    ASSIGN_OR_RETURN(auto v, tx.get(keys::AclRule(id)));
    if (v && *v == enc) {
      META_TRY(AddAclRef(tx, id, 1));
      return id;
    }
  }
  const std::string ckey = keys::Counter(keys::kNextAcl);
  ASSIGN_OR_RETURN(auto cv, tx.get(ckey));
  const int64_t last = cv ? DecodeCounter(*cv) : 0;
  if (last >= static_cast<int64_t>(UINT32_MAX)) return Err(ENOSPC, "no ACL ids left");
  const auto id = static_cast<uint32_t>(last + 1);
  tx.put(ckey, EncodeCounter(last + 1));
  tx.put(keys::AclRule(id), enc);
  tx.put(keys::AclRefs(id), EncodeCounter(1));
  ids.push_back(id);
  tx.put(hkey, EncodeIds(ids));
  return id;
}

Status MetaImpl::AddAclRef(KvTxn& tx, uint32_t id, int64_t delta) {
  if (id == 0 || delta == 0) return Status::OK();
  const std::string rkey = keys::AclRefs(id);
  ASSIGN_OR_RETURN(auto rv, tx.get(rkey));
  const int64_t refs = (rv ? DecodeCounter(*rv) : 0) + delta;
  if (refs > 0) {
    tx.put(rkey, EncodeCounter(refs));
    return Status::OK();
  }
  return acl::DropRule(tx, id);  // the last user is gone
}

Status acl::DropRule(KvTxn& tx, uint32_t id) {
  ASSIGN_OR_RETURN(auto v, tx.get(keys::AclRule(id)));
  tx.del(keys::AclRefs(id));
  tx.del(keys::AclRule(id));
  if (!v) return Status::OK();
  const std::string hkey = keys::AclHash(acl::RuleHash(*v));
  ASSIGN_OR_RETURN(auto hv, tx.get(hkey));
  if (!hv) return Status::OK();
  std::vector<uint32_t> ids = DecodeIds(*hv);
  std::erase(ids, id);
  if (ids.empty()) {
    tx.del(hkey);
  } else {
    tx.put(hkey, EncodeIds(ids));
  }
  return Status::OK();
}

Status MetaImpl::RefAcls(KvTxn& tx, const Attr& a, int64_t delta) {
  META_TRY(AddAclRef(tx, a.accessAcl, delta));
  return AddAclRef(tx, a.defaultAcl, delta);
}

Status MetaImpl::InheritAcl(KvTxn& tx, const Attr& parent, Attr& a, uint32_t mode, uint32_t cumask) {
  if (parent.defaultAcl == 0 || a.type == FileType::kSymlink) {
    a.mode = (mode & ~cumask) & 07777;
    return Status::OK();
  }
  // posix_acl_create: the umask is not applied; the requested mode masks
  // the default ACL, which becomes the access ACL (and, for a directory,
  // its default ACL too).
  ASSIGN_OR_RETURN(acl::Acl def, LoadAclRule(tx, parent.defaultAcl));
  acl::Inherited in = acl::FromDefault(def, mode & 07777);
  a.mode = in.mode;
  if (in.access) {
    ASSIGN_OR_RETURN(a.accessAcl, InternAcl(tx, *in.access));
  }
  if (a.type == FileType::kDir) {
    META_TRY(AddAclRef(tx, parent.defaultAcl, 1));
    a.defaultAcl = parent.defaultAcl;
  }
  return Status::OK();
}

}  // namespace slicefs
