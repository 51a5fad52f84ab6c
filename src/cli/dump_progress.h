// Progress for dump and load: a Progress line counting inodes, with the
// record count as its note (see cli/progress.h). Not thread-safe (the
// callback runs on the command's thread).
#pragma once

#include "cli/progress.h"
#include "meta/dump.h"

namespace slicefs::cli {

class DumpProgressLine {
 public:
  explicit DumpProgressLine(const char* verb) : progress_(verb, "inodes") {}
  // For DumpOptions/LoadOptions::progress.
  DumpProgressFn fn() {
    return [this](const DumpProgress& p) {
      progress_.SetCount(p.inodes);
      progress_.SetBytes(p.bytes);
      progress_.SetNote(FormatCount(p.records) + " records");
    };
  }
  // Ends the live line (the commands print their own summary).
  void Done() { progress_.Stop(); }

 private:
  Progress progress_;
};

}  // namespace slicefs::cli
