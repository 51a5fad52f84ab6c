// The slicefs version, reported by --version, recorded in sessions and dumps.
#pragma once

namespace slicefs {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace slicefs
