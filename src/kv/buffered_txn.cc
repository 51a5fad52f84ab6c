#include "kv/buffered_txn.h"

namespace slicefs {

Result<std::optional<std::string>> BufferedTxn::get(std::string_view key) {
  std::string k(key);
  ASSIGN_OR_RETURN(auto vs, gets(std::span<const std::string>(&k, 1)));  // one value, buffered or fetched
  return std::move(vs[0]);
}

Result<std::vector<std::optional<std::string>>> BufferedTxn::gets(std::span<const std::string> keys) {
  return note(buf_.gets(keys, [&](std::span<const std::string> ks) { return fetch(ks); }));
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
