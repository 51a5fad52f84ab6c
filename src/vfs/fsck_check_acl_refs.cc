// fsck "acl-refs": each POSIX ACL rule's RC{id} count equals the number of
// inode slots (access, default) naming it, and every named rule exists.
// Repair sets the count from the attributes; a rule no inode names is
// removed with its count and hash-index entry. A missing rule cannot be
// rebuilt: it is reported (the inode's ACL reads fail with EIO).
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "meta/acl_rules.h"
#include "vfs/fsck_checks.h"

namespace slicefs {
namespace {

Status SetAclCount(FsckRun& run, uint32_t id, int64_t seen, int64_t want, bool* done) {
  return run.kv.txn([&](KvTxn& tx) -> Status {
    *done = false;
    const std::string k = keys::AclRefs(id);
    ASSIGN_OR_RETURN(auto v, tx.get(k));
    const int64_t now = v ? DecodeCounter(*v) : -1;
    if (now != seen) return Status::OK();  // changed since the census
    if (want > 0) {
      tx.put(k, EncodeCounter(want));
      *done = true;
      return Status::OK();
    }
    RETURN_IF_ERROR(acl::DropRule(tx, id));
    *done = true;
    return Status::OK();
  });
}

}  // namespace

Status FsckCheckAclRefs(FsckRun& run) {
  const auto& c = run.census;
  std::set<uint32_t> ids(c.aclRules);
  for (const auto& [id, use] : c.aclUses) ids.insert(id);
  for (const auto& [id, n] : c.aclCounts) ids.insert(id);
  for (uint32_t id : ids) {
    auto u = c.aclUses.find(id);
    const int64_t want = u == c.aclUses.end() ? 0 : u->second.first;
    const Ino someIno = u == c.aclUses.end() ? 0 : u->second.second;
    auto h = c.aclCounts.find(id);
    const int64_t have = h == c.aclCounts.end() ? -1 : h->second;
    const std::string where = someIno ? " (e.g. " + run.PathOf(someIno) + ")" : "";
    if (want > 0 && !c.aclRules.count(id)) {
      run.Problem("acl-refs", someIno,
                  "ACL rule " + std::to_string(id) + " is named by " + std::to_string(want) +
                      " inodes but does not exist" + where + ": remove their ACLs with setfacl -b",
                  false);
      continue;
    }
    if (have == want) continue;
    bool repaired = false;
    if (run.opts.repair) RETURN_IF_ERROR(SetAclCount(run, id, have, want, &repaired));
    run.Problem("acl-refs", someIno,
                "ACL rule " + std::to_string(id) + ": reference count " +
                    (have < 0 ? std::string("missing") : std::to_string(have)) + ", " + std::to_string(want) +
                    " inodes use it" + where + (repaired ? " (fixed)" : ""),
                repaired);
  }
  return Status::OK();
}

}  // namespace slicefs
