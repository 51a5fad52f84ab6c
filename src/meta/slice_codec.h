// Chunk values (A{ino}C{index}): a concatenation of fixed 24-byte slice
// records, appended one per committed write, later records overriding earlier
// ones where they overlap. Layout per record (big-endian):
//   pos BE32 | id BE64 | size BE32 | off BE32 | len BE32
// Also the chunk "view": the non-overlapping pieces the records resolve to.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "meta/types.h"

namespace slicefs {

inline constexpr size_t kSliceRecordSize = 24;

void AppendSliceRecord(std::string& out, const SliceRecord& r);
std::string EncodeSliceRecords(const std::vector<SliceRecord>& recs);
// EIO when the value's length is not a multiple of the record size.
Result<std::vector<SliceRecord>> DecodeSliceRecords(std::string_view v);

// Resolves records (in write order) into sorted, non-overlapping pieces that
// cover exactly the bytes some record covers; each piece is itself a record
// (id 0 = zeros). Gaps (never written) are absent from the result.
std::vector<SliceRecord> BuildChunkView(const std::vector<SliceRecord>& recs);

}  // namespace slicefs
