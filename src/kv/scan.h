// Paged range scans: the one loop behind every "visit all keys of a range"
// in the metadata layer. KvTxn::scan returns at most `limit` keys; these
// helpers fetch page after page (resuming after the last key returned) so
// memory stays bounded by the page size however large the range.
//
// Threading: as KvTxn/KvStore. Errors: the first error of a scan or of the
// callback stops the walk and is returned.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kv/kv.h"

namespace slicefs {

using ScanPageFn = std::function<Status(std::vector<KeyValue>& page)>;
using ScanKvFn = std::function<Status(const KeyValue& kv)>;

// All keys of [begin, end) inside one transaction, `page` at a time.
Status ScanPages(KvTxn& tx, std::string_view begin, std::string_view end, size_t page, const ScanPageFn& fn);
Status ScanEach(KvTxn& tx, std::string_view begin, std::string_view end, size_t page, const ScanKvFn& fn);
// All keys starting with `prefix`.
Status ScanPrefix(KvTxn& tx, std::string_view prefix, size_t page, const ScanKvFn& fn);

// Long walks over a whole store: each page is read in its own read-only
// transaction and `fn` runs outside it (so it may run transactions of its
// own, e.g. to delete what it finds). Not one snapshot: keys added or
// removed meanwhile may or may not be seen.
Status ScanPagesOutside(KvStore& kv, std::string_view begin, std::string_view end, size_t page,
                        const ScanPageFn& fn);
Status ScanPrefixOutside(KvStore& kv, std::string_view prefix, size_t page, const ScanPageFn& fn);

}  // namespace slicefs
