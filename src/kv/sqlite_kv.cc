#include "kv/sqlite_kv.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <vector>

#include "kv/txn_store.h"

namespace slicefs {
namespace {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = "sqlite3: " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Retryable(EBUSY, msg);
    case SQLITE_FULL:
      return Status::Error(ENOSPC, msg);
    case SQLITE_READONLY:
      return Status::Error(EROFS, msg);
    case SQLITE_CANTOPEN:
      return Status::Error(ENOENT, msg);
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::Error(EACCES, msg);
    case SQLITE_NOMEM:
      return Status::Retryable(ENOMEM, msg);
    case SQLITE_TOOBIG:
      return Status::Error(E2BIG, msg);
    default:
      return Status::Error(EIO, msg);
  }
}

// One connection with its prepared statements. Used by one thread at a time.
class Conn {
 public:
  ~Conn() {
    for (auto* s : {get_, put_, del_, scanFrom_, scanRange_}) sqlite3_finalize(s);
    sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<Conn>> Open(const std::string& path, bool init) {
    auto c = std::unique_ptr<Conn>(new Conn());
    int rc = sqlite3_open_v2(path.c_str(), &c->db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return Err(SqliteError(c->db_, rc, "cannot open '" + path + "'"));
    if (Status st = c->init(path, init); !st.ok()) return Err(st);
    return c;
  }

  Status init(const std::string& path, bool createTable) {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
    // Switching to WAL needs a lock; it is persistent, so later connections
    // find the file in WAL mode already.
    RETURN_IF_ERROR(execRetry("PRAGMA journal_mode=WAL", "enable WAL on '" + path + "'"));
    RETURN_IF_ERROR(exec("PRAGMA synchronous=NORMAL", "set synchronous"));
    if (createTable) {
      RETURN_IF_ERROR(execRetry("CREATE TABLE IF NOT EXISTS kv(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID",
                                   "create table in '" + path + "'"));
    }
    RETURN_IF_ERROR(prepare("SELECT v FROM kv WHERE k=?1", &get_));
    RETURN_IF_ERROR(prepare("INSERT OR REPLACE INTO kv(k,v) VALUES(?1,?2)", &put_));
    RETURN_IF_ERROR(prepare("DELETE FROM kv WHERE k=?1", &del_));
    RETURN_IF_ERROR(prepare("SELECT k,v FROM kv WHERE k>=?1 ORDER BY k LIMIT ?2", &scanFrom_));
    RETURN_IF_ERROR(prepare("SELECT k,v FROM kv WHERE k>=?1 AND k<?3 ORDER BY k LIMIT ?2", &scanRange_));
    return Status::OK();
  }

  Status exec(const char* sql, std::string_view what) {
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, what);
    return Status::OK();
  }

  // exec, retrying while the database is busy (for set-up statements).
  Status execRetry(const char* sql, std::string_view what) {
    TxnRetryPolicy p;
    return RetryTxn("sqlite3", p, [&] { return exec(sql, what); });
  }

  Result<std::optional<std::string>> get(std::string_view key) {
    Stmt s(get_);
    bindBlob(get_, 1, key);
    int rc = sqlite3_step(get_);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) return Err(SqliteError(db_, rc, "get"));
    return column(get_, 0);
  }

  Result<std::vector<KeyValue>> scan(std::string_view begin, std::string_view end, size_t limit) {
    sqlite3_stmt* st = end.empty() ? scanFrom_ : scanRange_;
    Stmt s(st);
    bindBlob(st, 1, begin);
    sqlite3_bind_int64(st, 2, limit == 0 ? -1 : static_cast<sqlite3_int64>(limit));
    if (!end.empty()) bindBlob(st, 3, end);
    std::vector<KeyValue> out;
    while (true) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Err(SqliteError(db_, rc, "scan"));
      out.push_back({column(st, 0), column(st, 1)});
    }
    return out;
  }

  Status put(std::string_view key, std::string_view value) {
    Stmt s(put_);
    bindBlob(put_, 1, key);
    bindBlob(put_, 2, value);
    int rc = sqlite3_step(put_);
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "put");
    return Status::OK();
  }

  Status del(std::string_view key) {
    Stmt s(del_);
    bindBlob(del_, 1, key);
    int rc = sqlite3_step(del_);
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "delete");
    return Status::OK();
  }

  // A connection stays usable after any error (no transport to lose).
  bool broken() const { return false; }

  void rollback() {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  Conn() = default;

  // Resets and clears a statement's bindings when it goes out of scope.
  struct Stmt {
    explicit Stmt(sqlite3_stmt* s) : s_(s) {}
    ~Stmt() {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
    sqlite3_stmt* s_;
  };

  Status prepare(const char* sql, sqlite3_stmt** out) {
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, std::string("prepare '") + sql + "'");
    return Status::OK();
  }

  static void bindBlob(sqlite3_stmt* st, int i, std::string_view b) {
    // A non-null pointer so that an empty string binds a zero-length blob, not NULL.
    sqlite3_bind_blob64(st, i, b.empty() ? "" : b.data(), b.size(), SQLITE_STATIC);
  }

  static std::string column(sqlite3_stmt* st, int i) {
    const void* p = sqlite3_column_blob(st, i);
    int n = sqlite3_column_bytes(st, i);
    return p ? std::string(static_cast<const char*>(p), n) : std::string();
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* del_ = nullptr;
  sqlite3_stmt* scanFrom_ = nullptr;
  sqlite3_stmt* scanRange_ = nullptr;
};

// Reads inside the open SQLite transaction; the buffered writes are
// executed in it at commit, just before COMMIT (the write lock is held since
// BEGIN IMMEDIATE, so this is the same isolation as writing at once).
class SqliteTxn : public BufferedTxn {
 public:
  SqliteTxn(Conn& c, bool readOnly) : BufferedTxn("sqlite3", readOnly), c_(c) {}

 private:
  Result<std::optional<std::string>> fetchOne(std::string_view key) override { return c_.get(key); }

  Result<std::vector<KeyValue>> fetchRange(std::string_view b, std::string_view e, size_t lim) override {
    return c_.scan(b, e, lim);
  }

  Status commit() override {
    for (const auto& [k, v] : writes().entries()) RETURN_IF_ERROR(v ? c_.put(k, *v) : c_.del(k));
    return c_.exec("COMMIT", "commit");
  }

  Conn& c_;
};

class SqliteKvStore : public PooledKvStore<Conn> {
 public:
  SqliteKvStore(std::string path, std::unique_ptr<Conn> first)
      : PooledKvStore("sqlite3", [this] { return Conn::Open(path_, false); }), path_(std::move(path)) {
    pool().release(std::move(first));
  }

  Status dropAll() override {
    return retry([&] { return withConn([](Conn& c) { return c.exec("DELETE FROM kv", "drop all keys"); }); });
  }

 private:
  Result<std::unique_ptr<BufferedTxn>> begin(Conn& c, bool readOnly) override {
    RETURN_IF_ERROR(c.exec(readOnly ? "BEGIN" : "BEGIN IMMEDIATE", "begin transaction"));
    return std::make_unique<SqliteTxn>(c, readOnly);
  }

  void abort(Conn& c) override { c.rollback(); }

  std::string path_;
};

}  // namespace

Result<std::unique_ptr<KvStore>> OpenSqliteKvStore(const std::string& path, bool create) {
  if (path.empty()) return Err(EINVAL, "sqlite3: empty database path (expected sqlite3://PATH)");
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(path);
  fs::path dir = p.parent_path();
  if (!dir.empty() && !fs::is_directory(dir, ec)) {
    return Err(ENOENT, "sqlite3: directory '" + dir.string() + "' of database '" + path + "' does not exist");
  }
  if (fs::is_directory(p, ec)) return Err(EISDIR, "sqlite3: '" + path + "' is a directory, not a database file");
  if (!create && !fs::exists(p, ec)) return Err(ENOENT, "sqlite3: database '" + path + "' does not exist");
  auto c = Conn::Open(path, true);
  if (!c) {
    Status st = c.error();
    if (st.is(EIO) && st.message().find("not a database") != std::string::npos)
      return Err(EIO, "sqlite3: '" + path + "' is not a SQLite database");
    return Err(st);
  }
  return std::unique_ptr<KvStore>(new SqliteKvStore(path, std::move(*c)));
}

}  // namespace slicefs
