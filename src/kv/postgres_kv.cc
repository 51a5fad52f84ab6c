#include "kv/postgres_kv.h"

#include <libpq-fe.h>

#include <map>

#include "kv/txn_store.h"

namespace slicefs {
namespace {

constexpr size_t kMaxRowsPerStatement = 500;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

struct Config {
  std::vector<std::pair<std::string, std::string>> params;  // libpq keywords
  std::string table;                                       // quoted identifier
  std::string redacted;
};

class PConn {
 public:
  ~PConn() {
    if (conn_) PQfinish(conn_);
  }

  static Result<std::unique_ptr<PConn>> Open(const Config& cfg) {
    auto c = std::unique_ptr<PConn>(new PConn());
    std::vector<const char*> keys, vals;
    for (const auto& [k, v] : cfg.params) {
      keys.push_back(k.c_str());
      vals.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    vals.push_back(nullptr);
    c->conn_ = PQconnectdbParams(keys.data(), vals.data(), 0);
    if (c->conn_ == nullptr) return Err(Status::Retryable(ENOMEM, "postgres: cannot allocate a connection"));
    if (PQstatus(c->conn_) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(c->conn_);
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      for (auto& ch : msg) if (ch == '\n') ch = ' ';
      msg = "postgres: cannot connect to " + cfg.redacted + ": " + msg;
      // A wrong password or a missing database is final; anything else
      // (refused, starting up, too many clients) may pass.
      if (msg.find("password authentication failed") != std::string::npos ||
          msg.find("does not exist") != std::string::npos || msg.find("no password supplied") != std::string::npos)
        return Err(Status::Error(msg.find("does not exist") != std::string::npos ? ENOENT : EACCES, msg));
      // TLS (sslmode=require/verify-ca/verify-full): a server without SSL
      // or a certificate that does not verify will not change by retrying.
      if (msg.find("SSL") != std::string::npos || msg.find("certificate") != std::string::npos)
        return Err(Status::Error(EIO, msg + " (TLS settings: sslmode=, sslrootcert= in the URL)"));
      return Err(Status::Retryable(EIO, msg));
    }
    // Server notices ("relation ... already exists, skipping" from CREATE
    // TABLE IF NOT EXISTS) are informational; libpq would print them on
    // stderr, which is the user's terminal for CLI commands.
    PQsetNoticeProcessor(c->conn_, [](void*, const char*) {}, nullptr);
    return c;
  }

  bool broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }

  // Runs a statement with binary parameters and binary results.
  Result<PgResult> exec(const std::string& sql, const std::vector<std::string_view>& params = {}) {
    std::vector<const char*> vals;
    std::vector<int> lens, fmts;
    for (auto p : params) {
      vals.push_back(p.data() ? p.data() : "");
      lens.push_back(static_cast<int>(p.size()));
      fmts.push_back(1);
    }
    PgResult r(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, vals.data(), lens.data(),
                            fmts.data(), 1));
    if (!r) {
      broken_ = true;
      return Err(Status::Retryable(EIO, std::string("postgres: ") + PQerrorMessage(conn_)));
    }
    auto st = PQresultStatus(r.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    std::string code = state ? state : "";
    std::string msg = PQresultErrorMessage(r.get());
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    for (auto& ch : msg) if (ch == '\n') ch = ' ';
    msg = "postgres: " + msg + (code.empty() ? "" : " (SQLSTATE " + code + ")");
    if (code == "40001" || code == "40P01") return Err(Status::Conflict(msg));
    if (code.empty() || code.starts_with("08") || code.starts_with("57P") || code == "53300" ||
        PQstatus(conn_) != CONNECTION_OK) {
      broken_ = true;
      return Err(Status::Retryable(EIO, msg));
    }
    if (code.starts_with("53")) return Err(Status::Error(ENOSPC, msg));
    if (code == "42501") return Err(Status::Error(EACCES, msg));
    return Err(Status::Error(EIO, msg));
  }

  void rollback() {
    if (!broken() && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      PgResult r(PQexec(conn_, "ROLLBACK"));
      if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) broken_ = true;
    }
  }

 private:
  PConn() = default;
  PGconn* conn_ = nullptr;
  bool broken_ = false;
};

std::string Value(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), PQgetlength(r, row, col));
}

// "$a,$b,...": n placeholders starting at $first.
std::string Placeholders(size_t first, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; i++) {
    if (i) s += ',';
    s += '$' + std::to_string(first + i);
  }
  return s;
}

// Reads go to the server inside the open SQL transaction; the buffered
// writes are sent at commit as multi-row upserts and deletes, then COMMIT.
class PgTxn : public BufferedTxn {
 public:
  PgTxn(PConn& c, const std::string& table, bool readOnly) : BufferedTxn("postgres", readOnly), c_(c), t_(table) {}

 private:
  Result<std::vector<std::optional<std::string>>> fetch(std::span<const std::string> ks) override {
    std::map<std::string_view, std::string> found;
    std::vector<PgResult> keep;
    for (size_t off = 0; off < ks.size(); off += kMaxRowsPerStatement) {
      size_t n = std::min(kMaxRowsPerStatement, ks.size() - off);
      std::vector<std::string_view> params(ks.begin() + off, ks.begin() + off + n);
      ASSIGN_OR_RETURN(auto r, c_.exec("SELECT k,v FROM " + t_ + " WHERE k IN (" + Placeholders(1, n) + ")", params));
      for (int i = 0; i < PQntuples(r.get()); i++) {
        found.emplace(std::string_view(PQgetvalue(r.get(), i, 0), PQgetlength(r.get(), i, 0)), Value(r.get(), i, 1));
      }
      keep.push_back(std::move(r));  // the string_views point into it
    }
    std::vector<std::optional<std::string>> out;
    for (const auto& k : ks) {
      auto it = found.find(k);
      out.push_back(it == found.end() ? std::nullopt : std::optional<std::string>(it->second));
    }
    return out;
  }

  Result<std::vector<KeyValue>> fetchRange(std::string_view b, std::string_view e, size_t lim) override {
    std::string sql = "SELECT k,v FROM " + t_ + " WHERE k>=$1";
    std::vector<std::string_view> params = {b};
    if (!e.empty()) {
      sql += " AND k<$2";
      params.push_back(e);
    }
    sql += " ORDER BY k";
    if (lim) sql += " LIMIT " + std::to_string(lim);
    ASSIGN_OR_RETURN(auto r, c_.exec(sql, params));
    std::vector<KeyValue> out;
    for (int i = 0; i < PQntuples(r.get()); i++) out.push_back({Value(r.get(), i, 0), Value(r.get(), i, 1)});
    return out;
  }

  Status commit() override {
    std::vector<std::string_view> puts, dels;
    for (const auto& [k, v] : writes().entries()) {
      if (v) {
        puts.push_back(k);
        puts.push_back(*v);
      } else {
        dels.push_back(k);
      }
    }
    for (size_t off = 0; off < puts.size(); off += 2 * kMaxRowsPerStatement) {
      size_t n = std::min(2 * kMaxRowsPerStatement, puts.size() - off);
      std::string sql = "INSERT INTO " + t_ + "(k,v) VALUES ";
      for (size_t i = 0; i < n; i += 2) {
        if (i) sql += ',';
        sql += "($" + std::to_string(i + 1) + ",$" + std::to_string(i + 2) + ")";
      }
      sql += " ON CONFLICT (k) DO UPDATE SET v=EXCLUDED.v";
      std::vector<std::string_view> params(puts.begin() + off, puts.begin() + off + n);
      ASSIGN_OR_RETURN(auto r, c_.exec(sql, params));
    }
    for (size_t off = 0; off < dels.size(); off += kMaxRowsPerStatement) {
      size_t n = std::min(kMaxRowsPerStatement, dels.size() - off);
      std::vector<std::string_view> params(dels.begin() + off, dels.begin() + off + n);
      ASSIGN_OR_RETURN(auto r, c_.exec("DELETE FROM " + t_ + " WHERE k IN (" + Placeholders(1, n) + ")", params));
    }
    ASSIGN_OR_RETURN(auto r, c_.exec("COMMIT"));
    return Status::OK();
  }

  PConn& c_;
  const std::string& t_;
};

class PgKvStore : public PooledKvStore<PConn> {
 public:
  explicit PgKvStore(Config cfg) : PooledKvStore("postgres", [this] { return PConn::Open(cfg_); }), cfg_(std::move(cfg)) {}

  Status dropAll() override {
    return retry([&] {
      return withConn([&](PConn& c) -> Status {
        auto r = c.exec("DELETE FROM " + cfg_.table);
        return r ? Status::OK() : r.error();
      });
    });
  }

  // Creates the table when absent (concurrent creators may collide: retried).
  // Failing to connect, or any other error, is final: the URL is wrong or
  // the server is down, and the user should hear so now.
  Status init() {
    TxnRetryPolicy p;
    p.io.maxTime = std::chrono::milliseconds(10000);
    return RetryTxn("postgres", p, [&]() -> Status {
      Status st = withConn([&](PConn& c) -> Status {
        auto r = c.exec("CREATE TABLE IF NOT EXISTS " + cfg_.table + " (k bytea PRIMARY KEY, v bytea NOT NULL)");
        if (!r && r.error().message().find("SQLSTATE 23505") != std::string::npos)
          return Status::Conflict("postgres: concurrent table creation");
        return r ? Status::OK() : r.error();
      });
      return st.ok() || st.conflict() ? st : Status::Error(st.code(), st.message());
    });
  }

 private:
  Result<std::unique_ptr<BufferedTxn>> begin(PConn& c, bool readOnly) override {
    ASSIGN_OR_RETURN(auto b, c.exec(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                             : "BEGIN ISOLATION LEVEL SERIALIZABLE"));
    return std::make_unique<PgTxn>(c, cfg_.table, readOnly);
  }

  void abort(PConn& c) override { c.rollback(); }

  Config cfg_;
};

}  // namespace

Result<std::unique_ptr<KvStore>> OpenPostgresKvStore(const Url& url) {
  Config cfg;
  cfg.redacted = url.Redacted();
  if (url.hosts.size() != 1) return Err(EINVAL, "postgres: exactly one host expected in '" + cfg.redacted + "'");
  if (url.path.empty() || url.path.find('/') != std::string::npos)
    return Err(EINVAL, "postgres: missing database name in '" + cfg.redacted + "' (expected postgres://USER:PASS@HOST:PORT/DB)");
  cfg.params.push_back({"host", url.hosts[0].host});
  if (url.hosts[0].port) cfg.params.push_back({"port", std::to_string(url.hosts[0].port)});
  if (!url.user.empty()) cfg.params.push_back({"user", url.user});
  if (!url.password.empty()) cfg.params.push_back({"password", url.password});
  cfg.params.push_back({"dbname", url.path});
  cfg.params.push_back({"connect_timeout", "5"});
  cfg.params.push_back({"application_name", "slicefs"});
  std::string table = "kv";
  for (const auto& [k, v] : url.query) {
    if (k == "prefix") {
      if (v.empty() || v.size() > 50) return Err(EINVAL, "postgres: prefix must have 1..50 characters");
      for (char ch : v) {
        if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
          return Err(EINVAL, "postgres: prefix '" + v + "' may only use letters, digits and '_'");
      }
      table = "kv_" + v;
    } else {
      cfg.params.push_back({k, v});
    }
  }
  cfg.table = "\"" + table + "\"";
  auto store = std::make_unique<PgKvStore>(std::move(cfg));
  if (Status st = store->init(); !st.ok()) return Err(st.code(), st.message());
  return std::unique_ptr<KvStore>(std::move(store));
}

}  // namespace slicefs
