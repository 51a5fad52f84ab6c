#include "kv/redis_kv.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>

#include <charconv>
#include <cstdio>

#include "kv/read_set.h"
#include "kv/redis_tls.h"
#include "kv/txn_store.h"

namespace slicefs {
namespace {

// Scan page: ARGV = index key, data prefix, min, max, limit (0 = none).
// Returns key1, value1, key2, value2, ...
constexpr const char* kScanScript = R"lua(
local ks
if tonumber(ARGV[5]) > 0 then
  ks = redis.call('ZRANGEBYLEX', ARGV[1], ARGV[3], ARGV[4], 'LIMIT', 0, tonumber(ARGV[5]))
else
  ks = redis.call('ZRANGEBYLEX', ARGV[1], ARGV[3], ARGV[4])
end
local out = {}
for i, k in ipairs(ks) do
  out[2 * i - 1] = k
  out[2 * i] = redis.call('GET', ARGV[2] .. k) or ''
end
return out
)lua";

// Commit: ARGV = index key, data prefix,
//   nReads, (key, present 0/1, value)*, nScans, (min, max, limit, nKeys, key*)*,
//   nPuts, (key, value)*, nDels, key*.
// Returns 1 when applied, 0 when a read changed (nothing applied).
constexpr const char* kCommitScript = R"lua(
local idx, dp, i = ARGV[1], ARGV[2], 3
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local cur = redis.call('GET', dp .. ARGV[i])
  if ARGV[i + 1] == '1' then
    if cur ~= ARGV[i + 2] then return 0 end
  elseif cur then
    return 0
  end
  i = i + 3
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local lim, nk = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local ks
  if lim > 0 then
    ks = redis.call('ZRANGEBYLEX', idx, ARGV[i], ARGV[i + 1], 'LIMIT', 0, lim)
  else
    ks = redis.call('ZRANGEBYLEX', idx, ARGV[i], ARGV[i + 1])
  end
  if #ks ~= nk then return 0 end
  i = i + 4
  for j = 1, nk do
    if ks[j] ~= ARGV[i] then return 0 end
    i = i + 1
  end
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('SET', dp .. ARGV[i], ARGV[i + 1])
  redis.call('ZADD', idx, 0, ARGV[i])
  i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('DEL', dp .. ARGV[i])
  redis.call('ZREM', idx, ARGV[i])
  i = i + 1
end
return 1
)lua";

// dropAll step: deletes up to ARGV[3] keys of the namespace; returns how many remain.
constexpr const char* kDropScript = R"lua(
local ks = redis.call('ZRANGEBYLEX', ARGV[1], '-', '+', 'LIMIT', 0, tonumber(ARGV[3]))
for _, k in ipairs(ks) do
  redis.call('DEL', ARGV[2] .. k)
end
if #ks > 0 then redis.call('ZREM', ARGV[1], unpack(ks)) end
return redis.call('ZCARD', ARGV[1])
)lua";

std::string Sha1Hex(std::string_view s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  char hex[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
  return std::string(hex, 2 * SHA_DIGEST_LENGTH);
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct Config {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string user, password;
  std::string prefix;
  std::string redacted;
  std::shared_ptr<RedisTlsContext> tls;  // rediss://: every connection uses TLS
};

// One connection. `broken` is set after any I/O error: it is then dropped.
class RConn {
 public:
  ~RConn() {
    if (ctx_) redisFree(ctx_);
  }

  static Result<std::unique_ptr<RConn>> Open(const Config& cfg) {
    auto c = std::unique_ptr<RConn>(new RConn());
    if (cfg.tls) {
      auto t = RedisTls::Connect(cfg.tls, cfg.host, cfg.port, 3, 30);
      if (!t) return Err(t.error());
      c->tls_ = std::move(*t);
    } else {
      timeval tv{3, 0};
      c->ctx_ = redisConnectWithTimeout(cfg.host.c_str(), cfg.port, tv);
      if (c->ctx_ == nullptr) return Err(Status::Retryable(ENOMEM, "redis: cannot allocate a connection"));
      if (c->ctx_->err) {
        return Err(Status::Retryable(EIO, "redis: cannot connect to " + cfg.redacted + ": " + c->ctx_->errstr));
      }
      timeval cmdTimeout{30, 0};
      redisSetTimeout(c->ctx_, cmdTimeout);
    }
    if (!cfg.password.empty()) {
      std::vector<std::string> auth = {"AUTH"};
      if (!cfg.user.empty()) auth.push_back(cfg.user);
      auth.push_back(cfg.password);
      ASSIGN_OR_RETURN(auto r, c->command(auth));
      (void)r;
    }
    if (cfg.db != 0) {
      ASSIGN_OR_RETURN(auto r, c->command({"SELECT", std::to_string(cfg.db)}));
      (void)r;
    }
    return c;
  }

  bool broken() const { return broken_; }

  // Runs one command. Server error replies become errors: retryable when
  // the server is loading or busy, else EIO; I/O errors are retryable.
  Result<Reply> command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    std::string tlsErr;
    auto* raw = tls_ ? tls_->command(static_cast<int>(argv.size()), argv.data(), lens.data(), &tlsErr)
                     : static_cast<redisReply*>(
                           redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (raw == nullptr) {
      broken_ = true;
      return Err(Status::Retryable(EIO, std::string("redis: connection error: ") + (tls_ ? tlsErr : ctx_->errstr)));
    }
    Reply r(raw);
    if (r->type == REDIS_REPLY_ERROR) {
      std::string msg(r->str, r->len);
      if (msg.starts_with("LOADING") || msg.starts_with("BUSY") || msg.starts_with("TRYAGAIN") ||
          msg.starts_with("READONLY") || msg.starts_with("MASTERDOWN")) {
        broken_ = true;
        return Err(Status::Retryable(EIO, "redis: " + msg));
      }
      if (msg.starts_with("NOSCRIPT")) return Err(Status::Error(ENOENT, "redis: " + msg));
      if (msg.starts_with("OOM")) return Err(Status::Error(ENOSPC, "redis: " + msg));
      if (msg.starts_with("NOAUTH") || msg.starts_with("WRONGPASS") || msg.starts_with("NOPERM"))
        return Err(Status::Error(EACCES, "redis: " + msg));
      return Err(Status::Error(EIO, "redis: " + msg));
    }
    return r;
  }

  // EVALSHA, loading the script with EVAL when the server does not know it
  // (first use, or after a restart).
  Result<Reply> eval(const char* script, const std::string& sha, std::vector<std::string> args) {
    args.insert(args.begin(), {"EVALSHA", sha, "0"});
    auto r = command(args);
    if (r || !r.error().is(ENOENT)) return r;
    args[0] = "EVAL";
    args[1] = script;
    return command(args);
  }

 private:
  RConn() = default;
  redisContext* ctx_ = nullptr;     // plain TCP (hiredis does the I/O)
  std::unique_ptr<RedisTls> tls_;  // rediss:// (OpenSSL does the I/O)
  bool broken_ = false;
};

std::string Str(const redisReply* r) { return std::string(r->str, r->len); }

// The store's key names and script digests, shared by its transactions.
struct Names {
  std::string idx, dp;  // index sorted set, data key prefix
  std::string commitSha = Sha1Hex(kCommitScript);
  std::string scanSha = Sha1Hex(kScanScript);
  std::string dropSha = Sha1Hex(kDropScript);
};

std::string MinArg(const std::string& begin) { return "[" + begin; }
std::string MaxArg(const std::string& end) { return end.empty() ? "+" : "(" + end; }

// Reads go to the server as they happen and are recorded in a ReadSet of
// values; commit() validates them and applies the writes in one script.
class RedisTxn : public BufferedTxn {
 public:
  RedisTxn(RConn& c, const Names& n, bool readOnly) : BufferedTxn("redis", readOnly), c_(c), n_(n) {}

  // readStream: reads are neither recorded nor validated (no snapshot).
  void SetStream() { stream_ = true; }

 private:
  Result<std::vector<std::optional<std::string>>> fetch(std::span<const std::string> keys) override {
    std::vector<std::string> a = {"MGET"};
    for (const auto& k : keys) a.push_back(n_.dp + k);
    ASSIGN_OR_RETURN(auto r, c_.command(a));
    if (r->type != REDIS_REPLY_ARRAY || r->elements != keys.size()) return Err(EIO, "redis: unexpected MGET reply");
    std::vector<std::optional<std::string>> out;
    for (size_t i = 0; i < keys.size(); i++) {
      const redisReply* e = r->element[i];
      if (e->type == REDIS_REPLY_STRING) out.push_back(Str(e));
      else out.push_back(std::nullopt);
      if (!stream_) reads_.noteKey(keys[i], out.back());
    }
    reads_.countOp();
    return out;
  }

  Result<std::vector<KeyValue>> fetchRange(std::string_view b, std::string_view e, size_t lim) override {
    std::string begin(b), end(e);
    ASSIGN_OR_RETURN(auto r, c_.eval(kScanScript, n_.scanSha,
                                     {n_.idx, n_.dp, MinArg(begin), MaxArg(end), std::to_string(lim)}));
    if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) return Err(EIO, "redis: unexpected scan reply");
    std::vector<KeyValue> out;
    std::vector<std::string> keys;
    for (size_t i = 0; i < r->elements; i += 2) {
      out.push_back({Str(r->element[i]), Str(r->element[i + 1])});
      if (stream_) continue;
      reads_.noteKey(out.back().key, out.back().value);
      keys.push_back(out.back().key);
    }
    if (!stream_) reads_.noteScan(begin, end, lim, std::move(keys));
    reads_.countOp();
    return out;
  }

  // Validates the reads and applies the writes atomically.
  Status commit() override {
    if (reads_.inconsistent()) return Status::Conflict("redis: a key changed while the transaction read it");
    bool needValidation = !readOnly() || (!stream_ && reads_.ops() > 1);
    const WriteBuffer& buf = writes();
    if (buf.empty() && !needValidation) return Status::OK();
    std::vector<std::string> a = {n_.idx, n_.dp, std::to_string(reads_.keys().size())};
    for (const auto& [k, v] : reads_.keys()) {
      a.push_back(k);
      a.push_back(v ? "1" : "0");
      a.push_back(v ? *v : std::string());
    }
    a.push_back(std::to_string(reads_.scans().size()));
    for (const auto& s : reads_.scans()) {
      a.push_back(MinArg(s.begin));
      a.push_back(MaxArg(s.end));
      a.push_back(std::to_string(s.limit));
      a.push_back(std::to_string(s.keys.size()));
      a.insert(a.end(), s.keys.begin(), s.keys.end());
    }
    size_t nPuts = 0;
    for (const auto& [k, v] : buf.entries()) nPuts += v.has_value();
    a.push_back(std::to_string(nPuts));
    for (const auto& [k, v] : buf.entries()) {
      if (!v) continue;
      a.push_back(k);
      a.push_back(*v);
    }
    a.push_back(std::to_string(buf.size() - nPuts));
    for (const auto& [k, v] : buf.entries()) {
      if (!v) a.push_back(k);
    }
    ASSIGN_OR_RETURN(auto r, c_.eval(kCommitScript, n_.commitSha, std::move(a)));
    if (r->type != REDIS_REPLY_INTEGER) return Status::IOError("redis: unexpected commit reply");
    if (r->integer != 1) return Status::Conflict("redis: a key read by the transaction changed");
    return Status::OK();
  }

  RConn& c_;
  const Names& n_;
  ReadSet<std::optional<std::string>> reads_;
  bool stream_ = false;
};

class RedisKvStore : public PooledKvStore<RConn> {
 public:
  explicit RedisKvStore(Config cfg)
      : PooledKvStore("redis", [this] { return RConn::Open(cfg_); }), cfg_(std::move(cfg)) {
    n_.idx = cfg_.prefix + ":i";
    n_.dp = cfg_.prefix + ":k:";
  }

  Status dropAll() override {
    return retry([&] {
      return withConn([&](RConn& c) -> Status {
        while (true) {
          ASSIGN_OR_RETURN(auto r, c.eval(kDropScript, n_.dropSha, {n_.idx, n_.dp, "1000"}));
          if (r->type != REDIS_REPLY_INTEGER) return Status::IOError("redis: unexpected reply to drop");
          if (r->integer == 0) return Status::OK();
        }
      });
    });
  }

  Status readStream(const TxnFn& fn) override {
    return readOnly([&](KvTxn& t) -> Status {
      static_cast<RedisTxn&>(t).SetStream();
      return fn(t);
    });
  }
  bool streamIsSnapshot() const override { return false; }

  // Checks that the server answers (used at open for a clear error).
  Status ping() {
    return withConn([](RConn& c) -> Status {
      auto r = c.command({"PING"});
      return r ? Status::OK() : r.error();
    });
  }

 private:
  // No server-side transaction: reads are validated at commit.
  Result<std::unique_ptr<BufferedTxn>> begin(RConn& c, bool readOnly) override {
    return std::make_unique<RedisTxn>(c, n_, readOnly);
  }

  Config cfg_;
  Names n_;
};

bool ValidPrefix(const std::string& p) {
  for (char c : p) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  }
  return p.size() <= 200;
}

}  // namespace

Result<std::unique_ptr<KvStore>> OpenRedisKvStore(const Url& url) {
  Config cfg;
  cfg.redacted = url.Redacted();
  if (url.hosts.size() != 1) return Err(EINVAL, "redis: exactly one host expected in '" + cfg.redacted + "'");
  cfg.host = url.hosts[0].host;
  if (url.hosts[0].port) cfg.port = url.hosts[0].port;
  cfg.user = url.user;
  cfg.password = url.password;
  if (!url.path.empty()) {
    auto [p, ec] = std::from_chars(url.path.data(), url.path.data() + url.path.size(), cfg.db);
    if (ec != std::errc() || p != url.path.data() + url.path.size() || cfg.db < 0)
      return Err(EINVAL, "redis: database '" + url.path + "' is not a number in '" + cfg.redacted + "'");
  }
  auto query = url.query;
  ASSIGN_OR_RETURN(auto tls, TlsOptions::Take(query, cfg.redacted));  // tls-cacert-file, insecure-skip-verify, ...
  if (url.scheme == "rediss") {
    ASSIGN_OR_RETURN(cfg.tls, RedisTlsContext::Create(tls));
  } else if (tls.any()) {
    return Err(EINVAL, "redis: TLS options need a rediss:// URL in '" + cfg.redacted + "'");
  }
  for (const auto& [k, v] : query) {
    if (k != "prefix") return Err(EINVAL, "redis: unknown option '" + k + "' in '" + cfg.redacted + "'");
    if (!ValidPrefix(v))
      return Err(EINVAL, "redis: prefix '" + v + "' may only use letters, digits, '.', '_' and '-'");
    cfg.prefix = v;
  }
  auto store = std::make_unique<RedisKvStore>(std::move(cfg));
  if (Status st = store->ping(); !st.ok()) return Err(st.code(), st.message());
  return std::unique_ptr<KvStore>(std::move(store));
}

}  // namespace slicefs
