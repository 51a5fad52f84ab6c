#include "kv/scan.h"

#include "common/encoding.h"

namespace slicefs {

Status ScanPages(KvTxn& tx, std::string_view begin, std::string_view end, size_t page, const ScanPageFn& fn) {
  std::string from(begin);
  for (;;) {
    ASSIGN_OR_RETURN(auto kvs, tx.scan(from, end, page));
    const bool more = page != 0 && kvs.size() >= page;
    if (more) from = kvs.back().key + '\0';
    if (!kvs.empty()) RETURN_IF_ERROR(fn(kvs));
    if (!more) return Status::OK();
  }
}

Status ScanEach(KvTxn& tx, std::string_view begin, std::string_view end, size_t page, const ScanKvFn& fn) {
  return ScanPages(tx, begin, end, page, [&](std::vector<KeyValue>& kvs) -> Status {
    for (const auto& kv : kvs) RETURN_IF_ERROR(fn(kv));
    return Status::OK();
  });
}

Status ScanPrefix(KvTxn& tx, std::string_view prefix, size_t page, const ScanKvFn& fn) {
  return ScanEach(tx, prefix, PrefixEnd(prefix), page, fn);
}

Status ScanPagesOutside(KvStore& kv, std::string_view begin, std::string_view end, size_t page,
                        const ScanPageFn& fn) {
  std::string from(begin);
  for (;;) {
    std::vector<KeyValue> kvs;
    RETURN_IF_ERROR(kv.readOnly([&](KvTxn& tx) -> Status {
      ASSIGN_OR_RETURN(kvs, tx.scan(from, end, page));
      return Status::OK();
    }));
    const bool more = page != 0 && kvs.size() >= page;
    if (more) from = kvs.back().key + '\0';
    if (!kvs.empty()) RETURN_IF_ERROR(fn(kvs));
    if (!more) return Status::OK();
  }
}

Status ScanPrefixOutside(KvStore& kv, std::string_view prefix, size_t page, const ScanPageFn& fn) {
  return ScanPagesOutside(kv, prefix, PrefixEnd(prefix), page, fn);
}

}  // namespace slicefs
