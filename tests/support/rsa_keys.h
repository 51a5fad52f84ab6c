// RSA keys for encryption tests: generated once per process (keygen takes
// a moment) and handed out as PEM text, optionally passphrase-protected.
// `which` selects one of several distinct keys. Thread-safe.
#pragma once

#include <string>

namespace slicefs::testing {

// PEM of test key `which` (0, 1, ...), PKCS#8; encrypted with AES-256-CBC
// under `passphrase` unless it is empty. `bits` other than 2048 make a
// separate key (to test the size check).
std::string TestRsaPem(int which, const std::string& passphrase, int bits = 2048);

}  // namespace slicefs::testing
