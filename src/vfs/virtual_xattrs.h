// Names of the virtual extended attributes the mount root answers (to root
// and the mount's owner only; never listed). CLI tools that take a PATH use
// them to find the volume and the mount process.
#pragma once

#include <string_view>

namespace slicefs {

// The META-URL with its password replaced by "****" (RedactedUrl).
inline constexpr std::string_view kXattrMetaUrl = "user.slicefs.meta_url";
inline constexpr std::string_view kXattrPid = "user.slicefs.pid";
// The mount's control socket (cli/control_server.h); readable by everyone,
// since every request on it runs with the caller's own credentials.
inline constexpr std::string_view kXattrControl = "user.slicefs.control";

}  // namespace slicefs
