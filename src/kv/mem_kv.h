// mem:// engine: an in-process ordered map, for unit tests and tools.
//
// Transactions are serialized: a read-write transaction holds the store's
// lock exclusively from start to commit, read-only ones share it, so there
// are never conflicts (a fn returning Status::Conflict is still retried).
// Writes are buffered (WriteBuffer) and applied at commit, so an error
// rolls back. Do not start a transaction on the same store from inside fn
// (it would deadlock).
//
// `mem://` (no name) gives a private, empty store. `mem://NAME` gives a
// store shared with every other open of the same NAME in this process; its
// data lives until the process exits or dropAll() is called.
#pragma once

#include <memory>
#include <string>

#include "kv/kv.h"

namespace slicefs {

std::unique_ptr<KvStore> NewMemKvStore(const std::string& name = "");

}  // namespace slicefs
