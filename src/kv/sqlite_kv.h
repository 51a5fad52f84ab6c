// sqlite3://PATH engine: one SQLite file in WAL mode, table
//   kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID
// Keys compare bytewise (SQLite's BLOB order is memcmp, then length).
//
// Threads and processes: each transaction borrows a connection from a pool
// (one connection per concurrently running transaction; up to 16 idle ones
// are kept). Read-write transactions start with BEGIN IMMEDIATE, so writers
// are serialized through SQLite's write lock and never conflict; readers run
// on WAL snapshots beside them. "database is locked" (SQLITE_BUSY/LOCKED) is
// never returned to the caller while it is transient: each connection waits
// (busy_timeout), and the transaction is retried with backoff for up to a
// minute. Several processes may share one file (not over NFS).
//
// Writes are buffered like every engine's (buffered_txn.h) and executed
// inside the open SQLite transaction at commit, just before COMMIT; since
// BEGIN IMMEDIATE already holds the write lock, this is the same isolation
// as writing at once. A put/del failure (disk full) fails the commit and
// rolls the transaction back. A store must not be used across fork(); open
// a new one in the child.
//
// Errors: the file's directory missing -> ENOENT; not a database -> EIO;
// disk full -> ENOSPC; read-only file -> EROFS; all with a one-line message.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "kv/kv.h"

namespace slicefs {

// Opens the database file at `path`, creating it when absent if `create`
// (else ENOENT).
Result<std::unique_ptr<KvStore>> OpenSqliteKvStore(const std::string& path, bool create = true);

}  // namespace slicefs
