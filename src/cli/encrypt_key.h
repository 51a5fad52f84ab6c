// --encrypt-rsa-key for the commands that take one (format, load, export):
// reads the PEM file. Throws CommandError (one line) when it cannot be read
// or is not a PEM file. Thread-compatible.
#pragma once

#include <string>

namespace slicefs::cli {

std::string ReadPemFile(const std::string& path);

}  // namespace slicefs::cli
