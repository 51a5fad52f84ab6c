#include "cli/dump_progress.h"

#include <unistd.h>

#include <cstdio>

namespace slicefs::cli {

DumpProgressLine::DumpProgressLine(const char* verb)
    : verb_(verb), tty_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()), last_(start_) {}

DumpProgressFn DumpProgressLine::fn() {
  if (!tty_) return {};
  return [this](const DumpProgress& p) { Draw(p, false); };
}

void DumpProgressLine::Draw(const DumpProgress& p, bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r%s: %llu inodes, %llu records, %.1f MiB, %.0f inodes/s   ", verb_,
               static_cast<unsigned long long>(p.inodes), static_cast<unsigned long long>(p.records),
               static_cast<double>(p.bytes) / (1 << 20), secs > 0 ? static_cast<double>(p.inodes) / secs : 0.0);
  drawn_ = true;
}

void DumpProgressLine::Done() {
  if (drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace slicefs::cli
