// FUSE callbacks for extended attributes.
#include "fuse/fuse_internal.h"

namespace slicefs::fusead {
namespace {

void SetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
              int flags) {
  Status st = V(req).SetXattr(MakeCtx(req), ino, name, std::string_view(value, size), flags);
  // An ACL xattr may have changed the mode (a minimal ACL is a chmod). A
  // kernel without POSIX_ACL keeps the old mode cached: drop it.
  const std::string_view n(name);
  if (st.ok() && (n == "system.posix_acl_access" || n == "system.posix_acl_default") &&
      !V(req).format().enableAcl) {
    NotifyAttrsChanged(ino);
  }
  ReplyErr(req, st);
}

void ReplyXattrValue(fuse_req_t req, const std::string& v, size_t size) {
  if (size == 0) {
    fuse_reply_xattr(req, v.size());
  } else if (size < v.size()) {
    ReplyErrno(req, ERANGE);
  } else {
    fuse_reply_buf(req, v.data(), v.size());
  }
}

void GetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  auto v = V(req).GetXattr(MakeCtx(req), ino, name);
  if (!v) return ReplyErr(req, v.error());
  ReplyXattrValue(req, *v, size);
}

void ListXattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  auto names = V(req).ListXattr(MakeCtx(req), ino);
  if (!names) return ReplyErr(req, names.error());
  std::string all;
  for (auto& n : *names) {
    all += n;
    all.push_back('\0');
  }
  ReplyXattrValue(req, all, size);
}

void RemoveXattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  ReplyErr(req, V(req).RemoveXattr(MakeCtx(req), ino, name));
}

}  // namespace

void AddXattrOps(fuse_lowlevel_ops& ops) {
  ops.setxattr = SetXattr;
  ops.getxattr = GetXattr;
  ops.listxattr = ListXattr;
  ops.removexattr = RemoveXattr;
}

}  // namespace slicefs::fusead
