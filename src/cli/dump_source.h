// Where `load` and `export` read a dump from: a local file (plain, gzip or
// zstd), standard input, or an automatic backup in a volume's bucket
// (`{volume}/meta/dump-*.json.gz`, the newest or a named one). Throws
// CommandError with a one-line message on failure.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "common/byte_stream.h"
#include "kv/kv.h"
#include "meta/dump.h"
#include "object/object_store.h"

namespace slicefs::cli {

struct DumpSourceArgs {
  std::string file;        // "" or "-": standard input (unless fromBucket)
  std::string fromBucket;  // volume name: read its backup from the bucket
  std::string storage = "file", bucket, accessKey, secretKey, backup;
  std::string encryptRsaKey, encryptAlgo = "aes256gcm-rsa";  // an encrypted volume's backup
};

struct DumpSource {
  std::unique_ptr<ObjectStore> store;  // the bucket, when reading a backup
  std::unique_ptr<ByteSource> in;      // decompressed document
  std::string accessKey, secretKey;    // credentials to store in the loaded format
};

DumpSource OpenDumpSource(const DumpSourceArgs& a);

// Loads the source into kv (LoadVolume with its credentials and a progress
// line labelled `verb`).
Result<LoadStats> LoadFromSource(KvStore& kv, DumpSource& src, const char* verb);

// --access-key, --secret-key, --from-bucket, --storage, --bucket, --backup,
// --encrypt-rsa-key, --encrypt-algo.
void AddDumpSourceOptions(CLI::App* cmd, DumpSourceArgs& a);

}  // namespace slicefs::cli
