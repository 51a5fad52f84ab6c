#include "common/buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace slicefs {

void AdviseHugePages(void* p, size_t n) {
  if (n < kHugeAdviceMin) return;
  constexpr uintptr_t kHuge = 2u << 20;
  uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n) & ~(kHuge - 1);
  if (end <= begin) return;
  (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

void ReserveBlock(std::string* s, size_t n) {
  s->reserve(n);
  AdviseHugePages(s->data(), s->capacity());
}

}  // namespace slicefs
