#include "kv/etcd_kv.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <atomic>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "common/tls_options.h"
#include "kv/read_set.h"
#include "kv/txn_store.h"

namespace slicefs {
namespace {

using nlohmann::json;

std::string B64(std::string_view s) {
  std::string out(4 * ((s.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(n);
  return out;
}

Result<std::string> UnB64(std::string_view s) {
  if (s.size() % 4 != 0) return Err(EIO, "etcd: bad base64 in reply");
  std::string out(3 * s.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return Err(EIO, "etcd: bad base64 in reply");
  size_t pad = 0;
  if (!s.empty() && s.back() == '=') pad++;
  if (s.size() > 1 && s[s.size() - 2] == '=') pad++;
  out.resize(n - pad);
  return out;
}

// int64 fields arrive as JSON strings (or numbers); absent means 0.
int64_t Int(const json& obj, const char* field) {
  auto it = obj.find(field);
  if (it == obj.end()) return 0;
  if (it->is_number()) return it->get<int64_t>();
  if (it->is_string()) {
    int64_t v = 0;
    const std::string& s = it->get_ref<const std::string&>();
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  }
  return 0;
}

struct Config {
  std::vector<std::string> endpoints;  // http://host:port
  std::string ns;                      // PREFIX + '\0'
  std::string nsEnd;                   // PREFIX + '\1'
  std::string redacted;
  TlsOptions tls;  // https endpoints (cacert, cert, key, insecure-skip-verify)
};

size_t WriteCb(char* p, size_t size, size_t n, void* ud) {
  static_cast<std::string*>(ud)->append(p, size * n);
  return size * n;
}

// One HTTP client (curl easy handle with a kept-alive connection).
class HConn {
 public:
  HConn() : h_(curl_easy_init()) {}
  ~HConn() {
    if (h_) curl_easy_cleanup(h_);
    if (headers_) curl_slist_free_all(headers_);
  }
  bool broken() const { return broken_; }

  // POSTs body to endpoint + path; returns the parsed reply. Transport
  // failures and server unavailability are retryable.
  Result<json> post(const std::string& endpoint, const char* path, const std::string& body,
                    const TlsOptions& tls) {
    if (!h_) return Err(Status::Retryable(ENOMEM, "etcd: cannot create a curl handle"));
    if (!headers_) {
      headers_ = curl_slist_append(nullptr, "Content-Type: application/json");
      headers_ = curl_slist_append(headers_, "Expect:");  // no 100-continue round trip for big bodies
    }
    std::string url = endpoint + path;
    std::string resp;
    curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h_, CURLOPT_POST, 1L);
    curl_easy_setopt(h_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, WriteCb);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(h_, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(h_, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    if (!tls.caFile.empty()) curl_easy_setopt(h_, CURLOPT_CAINFO, tls.caFile.c_str());
    if (!tls.certFile.empty()) curl_easy_setopt(h_, CURLOPT_SSLCERT, tls.certFile.c_str());
    if (!tls.keyFile.empty()) curl_easy_setopt(h_, CURLOPT_SSLKEY, tls.keyFile.c_str());
    curl_easy_setopt(h_, CURLOPT_SSL_VERIFYPEER, tls.insecureSkipVerify ? 0L : 1L);
    curl_easy_setopt(h_, CURLOPT_SSL_VERIFYHOST, tls.insecureSkipVerify ? 0L : 2L);
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h_, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(h_);
    curl_easy_setopt(h_, CURLOPT_ERRORBUFFER, nullptr);
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT) {
      broken_ = true;
      return Err(Status::Error(EIO, "etcd: " + endpoint + ": TLS certificate not trusted (" + errbuf + ") " +
                                        kTlsVerifyHint));
    }
    if (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CERTPROBLEM) {
      broken_ = true;
      return Err(Status::Error(EIO, "etcd: " + endpoint + ": TLS handshake failed (" + errbuf + "; is it a TLS port?)"));
    }
    if (rc != CURLE_OK) {
      broken_ = true;
      return Err(Status::Retryable(EIO, "etcd: " + endpoint + ": " + curl_easy_strerror(rc)));
    }
    long code = 0;
    curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &code);
    json j = json::parse(resp, nullptr, false);
    if (j.is_discarded()) {
      broken_ = true;
      return Err(Status::Retryable(EIO, "etcd: " + endpoint + ": unparsable reply (HTTP " + std::to_string(code) + ")"));
    }
    if (code != 200 || j.contains("error")) {
      std::string msg = j.value("message", j.value("error", std::string("HTTP ") + std::to_string(code)));
      int grpc = j.value("code", 0);
      std::string full = "etcd: " + msg;
      if (msg.find("compacted") != std::string::npos) return Err(Status::Conflict(full));
      // 14 Unavailable, 4 DeadlineExceeded, 10 Aborted, 1 Canceled, plus leader, timeout,
      // shutdown and future-revision states.
      if (grpc == 14 || grpc == 4 || grpc == 10 || grpc == 1 || code >= 500 || msg.find("leader") != std::string::npos ||
          msg.find("closing") != std::string::npos || msg.find("stopped") != std::string::npos ||
          msg.find("shutting down") != std::string::npos || msg.find("transport") != std::string::npos ||
          msg.find("timed out") != std::string::npos || msg.find("future revision") != std::string::npos ||
          msg.find("not capable") != std::string::npos || msg.find("too many requests") != std::string::npos) {
        broken_ = true;
        return Err(Status::Retryable(EIO, full));
      }
      if (msg.find("too many operations") != std::string::npos || msg.find("too large") != std::string::npos)
        return Err(Status::Error(E2BIG, full));
      if (msg.find("space exceeded") != std::string::npos) return Err(Status::Error(ENOSPC, full));
      return Err(Status::Error(EIO, full));
    }
    return j;
  }

 private:
  CURL* h_;
  curl_slist* headers_ = nullptr;
  bool broken_ = false;
};

class EtcdKvStore;

// Reads at the revision fixed by the first read, recorded in a ReadSet of
// mod_revisions; commit() is one etcd Txn comparing them.
class EtcdTxn : public BufferedTxn {
 public:
  EtcdTxn(EtcdKvStore& s, HConn& c, bool readOnly) : BufferedTxn("etcd", readOnly), s_(s), c_(c) {}

  // readStream: every read at the first read's revision, nothing recorded.
  void SetStream() { stream_ = true; }

 private:
  struct Row {
    std::string key;  // without the namespace
    std::string value;
    int64_t mod = 0;
  };

  Result<std::vector<std::optional<std::string>>> fetch(std::span<const std::string> keys) override;
  Result<std::vector<KeyValue>> fetchRange(std::string_view b, std::string_view e, size_t lim) override;
  Status commit() override;

  // One range read at the transaction's revision (fixing it on first use).
  Result<std::vector<Row>> range(const std::string& fullBegin, const std::string& fullEnd, size_t limit);
  Result<std::vector<Row>> parseRows(const json& rangeResponse);
  // Takes the revision of a reply's header as the transaction's (first read).
  Status fixRevision(const json& reply);
  // The full etcd key range [begin, end) of a scan record (end empty = to the namespace end).
  std::string fullEnd(const std::string& end) const;

  EtcdKvStore& s_;
  HConn& c_;
  int64_t rev_ = 0;
  ReadSet<int64_t> reads_;  // key -> mod_revision seen (0 = absent)
  bool stream_ = false;
};

class EtcdKvStore : public PooledKvStore<HConn> {
 public:
  explicit EtcdKvStore(Config cfg) : PooledKvStore("etcd", [] { return std::make_unique<HConn>(); }), cfg_(std::move(cfg)) {}

  Status dropAll() override {
    return retry([&] {
      return withConn([&](HConn& c) -> Status {
        json req = {{"key", B64(cfg_.ns)}, {"range_end", B64(cfg_.nsEnd)}};
        auto r = call(c, "/v3/kv/deleterange", req);
        return r ? Status::OK() : r.error();
      });
    });
  }

  // A request to the current endpoint; on a transport failure the next
  // endpoint becomes current (the retry then goes there).
  Result<json> call(HConn& c, const char* path, const json& req) {
    size_t i = current_.load() % cfg_.endpoints.size();
    auto r = c.post(cfg_.endpoints[i], path, req.dump(), cfg_.tls);
    if (!r && r.error().retryable() && !r.error().conflict()) current_.compare_exchange_strong(i, i + 1);
    return r;
  }

  Status readStream(const TxnFn& fn) override {
    return readOnly([&](KvTxn& t) -> Status {
      static_cast<EtcdTxn&>(t).SetStream();
      return fn(t);
    });
  }

  // One request to each endpoint in turn until one answers.
  Status ping() {
    auto c = std::make_unique<HConn>();
    Status st;
    for (size_t i = 0; i < cfg_.endpoints.size(); i++) {
      json req = {{"key", B64(cfg_.ns)}, {"count_only", true}};
      auto r = call(*c, "/v3/kv/range", req);
      if (r) return Status::OK();
      st = r.error();
    }
    return Status::Error(st.code(), st.message());
  }

  const Config& cfg() const { return cfg_; }

 private:
  // No server-side transaction: the first read fixes the snapshot.
  Result<std::unique_ptr<BufferedTxn>> begin(HConn& c, bool readOnly) override {
    return std::make_unique<EtcdTxn>(*this, c, readOnly);
  }

  Config cfg_;
  std::atomic<size_t> current_{0};
};

Status EtcdTxn::fixRevision(const json& j) {
  if (rev_) return Status::OK();
  rev_ = j.contains("header") ? Int(j["header"], "revision") : 0;
  if (!rev_) return Status::IOError("etcd: reply without a revision");
  return Status::OK();
}

Result<std::vector<EtcdTxn::Row>> EtcdTxn::range(const std::string& fullBegin, const std::string& fullEnd,
                                                 size_t limit) {
  json req = {{"key", B64(fullBegin)}};
  if (!fullEnd.empty()) req["range_end"] = B64(fullEnd);
  if (limit) req["limit"] = std::to_string(limit);
  if (rev_) {
    // Later reads of the snapshot need no quorum round: the revision is
    // already committed (a member that has not applied it yet answers
    // "future revision", which is retried).
    req["revision"] = std::to_string(rev_);
    req["serializable"] = true;
  }
  ASSIGN_OR_RETURN(auto j, s_.call(c_, "/v3/kv/range", req));
  RETURN_IF_ERROR(fixRevision(j));
  return parseRows(j);
}

Result<std::vector<EtcdTxn::Row>> EtcdTxn::parseRows(const json& j) {
  std::vector<Row> out;
  const size_t nsLen = s_.cfg().ns.size();
  if (auto it = j.find("kvs"); it != j.end()) {
    for (const auto& kv : *it) {
      ASSIGN_OR_RETURN(auto k, UnB64(kv.value("key", "")));
      ASSIGN_OR_RETURN(auto v, UnB64(kv.value("value", "")));
      if (k.size() < nsLen) return Err(EIO, "etcd: key outside the namespace in reply");
      out.push_back({k.substr(nsLen), std::move(v), Int(kv, "mod_revision")});
    }
  }
  return out;
}

Result<std::vector<std::optional<std::string>>> EtcdTxn::fetch(std::span<const std::string> keys) {
  // A single key is one range request; several go as read-only Txns of up
  // to 100 range requests (within etcd's default --max-txn-ops of 128), all
  // at the transaction's revision.
  std::vector<std::optional<std::string>> out;
  const std::string& ns = s_.cfg().ns;
  auto note = [&](const std::string& key, std::vector<Row>& rows) {
    if (rows.empty()) {
      out.push_back(std::nullopt);
      if (!stream_) reads_.noteKey(key, 0);
    } else {
      if (!stream_) reads_.noteKey(key, rows[0].mod);
      out.push_back(std::move(rows[0].value));
    }
  };
  if (keys.size() == 1) {
    ASSIGN_OR_RETURN(auto rows, range(ns + keys[0], "", 0));
    note(keys[0], rows);
    return out;
  }
  constexpr size_t kPerTxn = 100;
  for (size_t off = 0; off < keys.size(); off += kPerTxn) {
    size_t n = std::min(kPerTxn, keys.size() - off);
    json ops = json::array();
    for (size_t i = 0; i < n; i++) {
      json r = {{"key", B64(ns + keys[off + i])}};
      if (rev_) r["revision"] = std::to_string(rev_);
      ops.push_back({{"request_range", std::move(r)}});
    }
    ASSIGN_OR_RETURN(auto j, s_.call(c_, "/v3/kv/txn", json{{"success", std::move(ops)}}));
    RETURN_IF_ERROR(fixRevision(j));
    auto resp = j.find("responses");
    if (resp == j.end() || !resp->is_array() || resp->size() != n) return Err(EIO, "etcd: unexpected txn reply");
    for (size_t i = 0; i < n; i++) {
      ASSIGN_OR_RETURN(auto rows, parseRows((*resp)[i].value("response_range", json::object())));
      note(keys[off + i], rows);
    }
  }
  return out;
}

std::string EtcdTxn::fullEnd(const std::string& end) const {
  return end.empty() ? s_.cfg().nsEnd : s_.cfg().ns + end;
}

Result<std::vector<KeyValue>> EtcdTxn::fetchRange(std::string_view b, std::string_view e, size_t lim) {
  const std::string& ns = s_.cfg().ns;
  ASSIGN_OR_RETURN(auto rows, range(ns + std::string(b), fullEnd(std::string(e)), lim));
  std::vector<KeyValue> out;
  std::vector<std::string> keys;
  for (auto& r : rows) {
    if (!stream_) {
      reads_.noteKey(r.key, r.mod);
      keys.push_back(r.key);
    }
    out.push_back({std::move(r.key), std::move(r.value)});
  }
  if (!stream_) reads_.noteScan(b, e, lim, std::move(keys));
  return out;
}

Status EtcdTxn::commit() {
  const WriteBuffer& buf = writes();
  if (buf.empty()) return Status::OK();  // reads were one snapshot; nothing to apply
  const std::string& ns = s_.cfg().ns;
  json compare = json::array();
  for (const auto& [k, mod] : reads_.keys()) {
    compare.push_back(
        {{"target", "MOD"}, {"key", B64(ns + k)}, {"result", "EQUAL"}, {"mod_revision", std::to_string(mod)}});
  }
  // For each scan, no key in its observed part (all of the range, or up to
  // the last key of a page cut by the limit) may be newer than the snapshot.
  for (const auto& s : reads_.scans()) {
    std::string observedEnd = s.hitLimit() ? ns + s.keys.back() + std::string(1, '\0') : fullEnd(s.end);
    compare.push_back({{"target", "MOD"}, {"key", B64(ns + s.begin)}, {"range_end", B64(observedEnd)},
                       {"result", "LESS"}, {"mod_revision", std::to_string(rev_ + 1)}});
  }
  json ops = json::array();
  for (const auto& [k, v] : buf.entries()) {
    if (v) ops.push_back({{"request_put", {{"key", B64(ns + k)}, {"value", B64(*v)}}}});
    else ops.push_back({{"request_delete_range", {{"key", B64(ns + k)}}}});
  }
  json req = {{"compare", std::move(compare)}, {"success", std::move(ops)}};
  ASSIGN_OR_RETURN(auto j, s_.call(c_, "/v3/kv/txn", req));
  if (!j.value("succeeded", false)) return Status::Conflict("etcd: a key read by the transaction changed");
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<KvStore>> OpenEtcdKvStore(const Url& url) {
  static bool curlReady = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  if (!curlReady) return Err(EIO, "etcd: libcurl initialisation failed");
  Config cfg;
  cfg.redacted = url.Redacted();
  if (!url.user.empty() || !url.password.empty())
    return Err(EINVAL, "etcd: user/password authentication is not supported ('" + cfg.redacted + "')");
  // https when any TLS option is given (as JuiceFS does), or with ?tls=true
  // for a server whose certificate the system CAs verify.
  auto query = url.query;
  ASSIGN_OR_RETURN(cfg.tls, TlsOptions::Take(query, cfg.redacted));
  if (!cfg.tls.serverName.empty()) return Err(EINVAL, "etcd: server-name is not supported ('" + cfg.redacted + "')");
  bool https = cfg.tls.any();
  if (auto it = query.find("tls"); it != query.end()) {
    if (it->second != "true" && it->second != "false") return Err(EINVAL, "etcd: tls must be true or false in '" + cfg.redacted + "'");
    https = https || it->second == "true";
    query.erase(it);
  }
  for (const auto& h : url.hosts) {
    std::string host = h.host.find(':') != std::string::npos ? "[" + h.host + "]" : h.host;
    cfg.endpoints.push_back((https ? "https://" : "http://") + host + ":" + std::to_string(h.port ? h.port : 2379));
  }
  if (!query.empty()) return Err(EINVAL, "etcd: unknown option '" + query.begin()->first + "' in '" + cfg.redacted + "'");
  if (url.path.find('\0') != std::string::npos) return Err(EINVAL, "etcd: prefix may not contain a NUL byte");
  cfg.ns = url.path + std::string(1, '\0');
  cfg.nsEnd = url.path + std::string(1, '\1');
  auto store = std::make_unique<EtcdKvStore>(std::move(cfg));
  if (Status st = store->ping(); !st.ok()) return Err(st.code(), st.message());
  return std::unique_ptr<KvStore>(std::move(store));
}

}  // namespace slicefs
