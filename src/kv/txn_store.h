// The KvStore half of the shared transaction plumbing (the KvTxn half is
// buffered_txn.h).
//
// TxnKvStore implements txn() and readOnly() once: RetryTxn (retry.h) runs
// attempt() until it succeeds or fails finally. An engine implements one
// attempt: get what its transactions run on (a lock, a connection), make its
// BufferedTxn, BufferedTxn::run(fn) (fn, misuse and error rules, commit),
// and clean up.
//
// PooledKvStore<Conn> is that attempt for engines whose transactions each
// borrow a connection from a ConnPool (sqlite3, redis, postgres, etcd):
//   acquire -> begin(conn) -> BufferedTxn::run(fn) -> on failure abort(conn)
//   -> release (a connection whose broken() is true is dropped instead, so
//   the retry reconnects).
// The engine keeps only what differs: begin (BEGIN ... at its isolation
// level, and the BufferedTxn subclass reading through the connection) and
// abort (ROLLBACK). Conn must have `bool broken() const`.
//
// Threading: thread-safe (the pool locks; each attempt has its own
// connection and transaction). Errors: as KvStore::txn.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kv/buffered_txn.h"
#include "kv/conn_pool.h"
#include "kv/kv.h"
#include "kv/retry.h"

namespace slicefs {

class TxnKvStore : public KvStore {
 public:
  std::string name() const final { return std::string(engine_); }
  Status txn(const TxnFn& fn) final { return retry([&] { return attempt(fn, false); }); }
  Status readOnly(const TxnFn& fn) final { return retry([&] { return attempt(fn, true); }); }

 protected:
  // `engine` must outlive the store (a literal).
  explicit TxnKvStore(std::string_view engine) : engine_(engine), metrics_(engine) {}

  // One try of fn in a fresh transaction; its status drives the retry loop.
  virtual Status attempt(const TxnFn& fn, bool readOnly) = 0;

  // Runs op under the store's retry policy (dropAll, set-up statements).
  Status retry(const std::function<Status()>& op) { return RetryTxn(engine_, policy_, op, &metrics_); }

  std::string_view engine() const { return engine_; }

 private:
  std::string_view engine_;
  TxnRetryPolicy policy_;
  TxnMetrics metrics_;  // slicefs_meta_txn_* of this engine
};

template <class Conn>
class PooledKvStore : public TxnKvStore {
 protected:
  PooledKvStore(std::string_view engine, typename ConnPool<Conn>::Factory factory, size_t maxIdle = 16)
      : TxnKvStore(engine), pool_(std::move(factory), maxIdle) {}

  // Opens a transaction on c (BEGIN where the server has transactions) and
  // returns the BufferedTxn that reads and commits through c.
  virtual Result<std::unique_ptr<BufferedTxn>> begin(Conn& c, bool readOnly) = 0;

  // After a failed attempt (begin, fn or commit): ends what c still has
  // open on the server (ROLLBACK). Default: nothing to end.
  virtual void abort(Conn& c) { (void)c; }

  // Runs op on a pooled connection and returns the connection to the pool
  // unless it broke. A failure to connect is returned as is.
  Status withConn(const std::function<Status(Conn&)>& op) {
    ASSIGN_OR_RETURN(auto c, pool_.acquire());
    Status st = op(*c);
    if (!c->broken()) pool_.release(std::move(c));
    return st;
  }

  ConnPool<Conn>& pool() { return pool_; }

 private:
  Status attempt(const TxnFn& fn, bool readOnly) final {
    return withConn([&](Conn& c) -> Status {
      auto t = begin(c, readOnly);
      Status st = t ? (*t)->run(fn) : t.error();
      if (!st.ok()) abort(c);
      return st;
    });
  }

  ConnPool<Conn> pool_;
};

}  // namespace slicefs
