// The ACL rule table's one operation tools need besides Meta: removing a
// rule with its count and hash-index entry (docs/formats.md, "ACL rules").
// Inside the caller's transaction; errors are the engine's.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "kv/kv.h"

namespace slicefs::acl {

// Deletes RA{id}, RC{id} and id's entry in its RH{hash} list.
Status DropRule(KvTxn& tx, uint32_t id);

}  // namespace slicefs::acl
