// Paths inside a volume for tools that open it by META-URL (quota,
// summary): resolving "--path /a/b" to an inode with Meta::Lookup (as root,
// symlinks not followed) and naming an inode by walking its parents.
//
// Errors: ENOENT / ENOTDIR with the path in the message.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "meta/meta.h"

namespace slicefs::cli {

Result<Ino> ResolveVolumePath(Meta& meta, std::string_view path);
// "/a/b" for a directory inode; "inode N" when it has no single path.
std::string VolumePathOf(Meta& meta, Ino ino);

}  // namespace slicefs::cli
