// DataStoreImpl: cache control for `slicefs warmup` (data_store.h).
#include "chunk/block_key.h"
#include "chunk/data_store_impl.h"

namespace slicefs {

Status DataStoreImpl::WarmBlock(uint64_t id, uint32_t size, uint32_t block) {
  if (block >= BlockCount(size, blockSize_)) return Status::Invalid("block past the slice's end");
  const uint32_t len = BlockLength(size, blockSize_, block);
  auto r = fetcher_.Block(BlockKey(id, block, len), len);
  if (!r) return r.error();
  return Status::OK();
}

void DataStoreImpl::EvictBlock(uint64_t id, uint32_t size, uint32_t block) {
  if (block >= BlockCount(size, blockSize_)) return;
  fetcher_.Forget(BlockKey(id, block, BlockLength(size, blockSize_, block)));
}

bool DataStoreImpl::BlockCached(uint64_t id, uint32_t size, uint32_t block) {
  if (block >= BlockCount(size, blockSize_)) return false;
  return fetcher_.Cached(BlockKey(id, block, BlockLength(size, blockSize_, block)));
}

}  // namespace slicefs
