// Linux rules shared by the xattr operations: name and size limits and
// namespace permissions (user.* follows file permissions, trusted.* is root
// only, names without a namespace are not supported).
#pragma once

#include <string_view>

#include "common/status.h"
#include "kv/kv.h"
#include "meta/types.h"

namespace slicefs {

// ERANGE for empty or over-long names, EOPNOTSUPP for unknown namespaces.
Status CheckXattrName(std::string_view name);
// Permission to read (write=false) or change an xattr of inode `a`.
Status CheckXattrAccess(KvTxn& tx, const Ctx& ctx, const Attr& a, std::string_view name, bool write);

}  // namespace slicefs
