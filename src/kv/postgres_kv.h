// postgres://USER:PASS@HOST:PORT/DB[?prefix=NAME&libpq-option=...] engine (libpq).
//
// Layout: one table per namespace, "kv" (or "kv_NAME" with ?prefix=NAME;
// letters, digits and '_' only), created when absent:
//   CREATE TABLE "kv_NAME" (k bytea PRIMARY KEY, v bytea NOT NULL)
// bytea compares bytewise (memcmp, then length), which gives the KV order.
// Other query options (sslmode, connect_timeout, ...) go to libpq as is.
//
// Read-write transactions run at SERIALIZABLE isolation: reads go to the
// server as they happen, writes are buffered (WriteBuffer) and sent at
// commit as one upsert and one delete statement. Serialization failures and
// deadlocks (SQLSTATE 40001, 40P01) are conflicts and the transaction is
// retried. Read-only transactions use REPEATABLE READ READ ONLY (one
// snapshot). Connections come from a pool; a connection that broke (server
// restart, admin shutdown) is dropped and the transaction retried with
// backoff (retryable error), so the store recovers by itself. Thread-safe.
#pragma once

#include <memory>

#include "common/url.h"
#include "kv/kv.h"

namespace slicefs {

Result<std::unique_ptr<KvStore>> OpenPostgresKvStore(const Url& url);

}  // namespace slicefs
