#include "kv/buffered_txn.h"

namespace slicefs {

Result<std::optional<std::string>> BufferedTxn::get(std::string_view key) {
  if (const auto* e = buf_.find(key)) return *e;
  return note(fetchOne(key));
}

Result<std::vector<std::optional<std::string>>> BufferedTxn::gets(std::span<const std::string> keys) {
  return note(buf_.gets(keys, [&](std::span<const std::string> ks) { return fetch(ks); }));
}

Result<std::optional<std::string>> BufferedTxn::fetchOne(std::string_view key) {
  std::string k(key);
  ASSIGN_OR_RETURN(auto vs, fetch(std::span<const std::string>(&k, 1)));
  if (vs.size() != 1) return Err(EIO, std::string(engine_) + ": engine returned a wrong number of values");
  return std::move(vs[0]);
}

Result<std::vector<std::optional<std::string>>> BufferedTxn::fetch(std::span<const std::string> keys) {
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  for (const auto& k : keys) {
    ASSIGN_OR_RETURN(auto v, fetchOne(k));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<KeyValue>> BufferedTxn::scan(std::string_view begin, std::string_view end, size_t limit) {
  if (!end.empty() && end <= begin) return std::vector<KeyValue>{};
  return note(buf_.scan(begin, end, limit,
                        [&](std::string_view b, std::string_view e, size_t lim) { return fetchRange(b, e, lim); }));
}

void BufferedTxn::put(std::string_view key, std::string_view value) {
  if (readOnly_) return misuse("put");
  buf_.put(key, value);
}

void BufferedTxn::del(std::string_view key) {
  if (readOnly_) return misuse("delete");
  buf_.del(key);
}

Status BufferedTxn::outcome(Status fnStatus) const {
  if (misuse_) return Status::Invalid(std::string(engine_) + ": " + misuse_ + " inside a read-only transaction");
  if (!err_.ok() && (fnStatus.ok() || err_.retryable())) return err_;
  return fnStatus;
}

Status BufferedTxn::run(const TxnFn& fn) {
  RETURN_IF_ERROR(outcome(fn(*this)));
  return commit();
}

}  // namespace slicefs
