#include "cli/secret_args.h"

#include <cstring>
#include <string>

#include "common/url.h"

namespace slicefs::cli {

int ScrubSecretArgs(int argc, char** argv) {
  int rewritten = 0;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    if (arg.find("://") == std::string::npos || arg.find('@') == std::string::npos) continue;
    auto u = Url::Parse(arg);
    if (!u || u->password.empty()) continue;
    std::string shown = u->Redacted();
    const size_t room = std::strlen(argv[i]);
    if (shown.size() > room) {
      // A password shorter than "****": star its characters in place instead.
      shown = arg;
      // (Positions as Url::Redacted finds them.)
      const auto sep = shown.find("://");
      const auto at = shown.find('@', sep);
      const auto colon = shown.find(':', sep + 3);
      for (size_t k = colon + 1; k < at; k++) shown[k] = '*';
    }
    std::memcpy(argv[i], shown.data(), shown.size());
    std::memset(argv[i] + shown.size(), 0, room - shown.size());
    rewritten++;
  }
  return rewritten;
}

}  // namespace slicefs::cli
