// Progress line for dump and load on stderr: "1234 inodes, 5678 records,
// 12.3 MiB, 4567 inodes/s", redrawn at most a few times a second, only
// when stderr is a terminal. Not thread-safe (the callback runs on the
// command's thread).
#pragma once

#include <chrono>

#include "meta/dump.h"

namespace slicefs::cli {

class DumpProgressLine {
 public:
  explicit DumpProgressLine(const char* verb);
  // For DumpOptions/LoadOptions::progress.
  DumpProgressFn fn();
  // Ends the line (if one was drawn).
  void Done();

 private:
  void Draw(const DumpProgress& p, bool force);
  const char* verb_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace slicefs::cli
