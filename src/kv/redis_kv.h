// redis://[user:pass@]HOST:PORT[/DB][?prefix=NAME] engine (hiredis).
//
// Layout (namespace P = the prefix, default empty; letters, digits, '.',
// '_' and '-' only): the value of key K is the Redis string "P:k:" + K, and
// the sorted set "P:i" holds every key K as a member with score 0, so that
// ZRANGEBYLEX gives ordered range scans (Redis compares members bytewise).
//
// Transactions are optimistic: reads go to the server as they happen
// (a scan is one Lua script: ZRANGEBYLEX plus the values, atomically);
// writes are buffered (WriteBuffer, so reads see them). Commit is one Lua
// script that re-checks every value read and re-runs every scan (same
// bounds and limit, comparing the key list), and only if nothing changed
// applies the writes; otherwise the transaction is retried (conflict).
// Read-only transactions with more than one read are validated the same
// way, so they see one consistent state.
//
// Connections come from a pool; a broken connection is dropped and the
// transaction retried (retryable error), so a restarted server is picked
// up again. Thread-safe.
#pragma once

#include <memory>

#include "common/url.h"
#include "kv/kv.h"

namespace slicefs {

Result<std::unique_ptr<KvStore>> OpenRedisKvStore(const Url& url);

}  // namespace slicefs
