// Large data buffers (blocks of several MiB) held in std::string.
//
// Block-sized buffers are mapped fresh by malloc (the data store fixes
// M_MMAP_THRESHOLD so freed blocks return to the OS), so every 4 KiB page of
// a new block costs a page fault, a zeroing and a cgroup charge. Asking for
// transparent huge pages on such a buffer cuts that to a few faults per block.
// Thread-safe; never fails (advice the kernel refuses is ignored).
#pragma once

#include <cstddef>
#include <string>

namespace slicefs {

// Below this size buffers are left alone (not worth a system call).
inline constexpr size_t kHugeAdviceMin = 2u << 20;

// Advises the kernel to back [p, p+n) with huge pages where it can (the
// 2 MiB-aligned part of the range). Call before the memory is first touched.
void AdviseHugePages(void* p, size_t n);

// Reserves `n` bytes of capacity in *s (which should be empty) and applies
// AdviseHugePages to it when n is large.
void ReserveBlock(std::string* s, size_t n);

// A string of n bytes whose content is left for the caller to fill (no
// zeroing pass), with huge-page advice when n is large. `fill(data, n)` writes
// the bytes and returns how many it wrote (<= n); the result is cut to that.
template <class Fill>
std::string FilledBuffer(size_t n, Fill&& fill) {
  std::string out;
  ReserveBlock(&out, n);
  out.resize_and_overwrite(n, [&](char* p, size_t cap) { return fill(p, cap); });
  return out;
}

}  // namespace slicefs
