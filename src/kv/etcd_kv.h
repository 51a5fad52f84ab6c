// etcd://HOST:PORT[,HOST:PORT...]/PREFIX engine: etcd v3 through its JSON
// gateway (/v3/kv/range, /v3/kv/txn, /v3/kv/deleterange) over libcurl.
//
// Layout: key K of namespace PREFIX is the etcd key PREFIX + "\0" + K (the
// prefix may not contain a NUL byte, so namespaces never overlap); keys and
// values travel base64-encoded. dropAll deletes the range
// [PREFIX "\0", PREFIX "\1").
//
// Transactions: the first read fixes a revision R and every later read of
// the transaction reads at R (one consistent snapshot, so read-only
// transactions need no validation). Writes are buffered (WriteBuffer). The
// commit is one etcd Txn that compares, for every key read, its
// mod_revision with the one seen (0 for absent keys), and for every range
// scanned, that no key in the part of the range that was observed has a
// mod_revision above R (inserts), then applies the puts and deletes; if a
// compare fails the transaction is a conflict and is retried. The number of
// compares plus writes must fit the server's --max-txn-ops (raised by
// scripts/servers/start-etcd.sh; etcd's default is 128).
//
// Requests go to the listed endpoints in turn; connection failures, "no
// leader" and timeouts are retryable (the store recovers when the cluster
// does). Connections (curl handles with keep-alive) are pooled. Thread-safe.
#pragma once

#include <memory>

#include "common/url.h"
#include "kv/kv.h"

namespace slicefs {

Result<std::unique_ptr<KvStore>> OpenEtcdKvStore(const Url& url);

}  // namespace slicefs
