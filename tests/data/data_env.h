// A volume for data-path integration tests: slice metadata (FakeMeta, or a
// real Meta adapted by vfs/meta_slices.h), an object store and a DataStore
// over them, with one regular file to work on, that can be closed
// and reopened on the same metadata and bucket (a client restart).
#pragma once

#include <memory>
#include <string>

#include "chunk/data_store.h"
#include "chunk/slice_meta.h"
#include "meta/meta.h"
#include "object/object_store.h"
#include "support/test_util.h"

namespace slicefs::testing {

class DataEnv {
 public:
  virtual ~DataEnv() = default;
  virtual std::string name() const = 0;
  // The metadata calls the data layer uses (a fake, or a real Meta adapted).
  virtual SliceMeta& meta() = 0;
  // The whole metadata client of a real env (nullptr for the fake).
  virtual Meta* realMeta() { return nullptr; }
  virtual DataStore& data() = 0;
  virtual ObjectStore& store() = 0;
  // A new empty regular file.
  virtual Result<Ino> NewFile(const std::string& name) = 0;
  // The file length as Meta knows it.
  virtual Result<uint64_t> Length(Ino ino) = 0;
  virtual Status Truncate(Ino ino, uint64_t length) = 0;
  // Deletes the file (unlink in the root directory for a real Meta).
  virtual Status Remove(const std::string& name, Ino ino) = 0;
  // Flushes, drops the DataStore (and Meta), opens them again.
  virtual Status Reopen() = 0;
  // A second client of the same volume (own Meta with its own session);
  // ENOTSUP for the fake.
  virtual Result<std::unique_ptr<Meta>> OpenOtherClient() { return Err(ENOTSUP, "single-client env"); }
  // The length a reader should pass: max(meta length, pending writes).
  // Pending first: a slice committed in between is then in the metadata
  // length (the other order can miss it: read the old length, then find the
  // slice no longer pending).
  uint64_t ReadLength(Ino ino) {
    uint64_t pending = data().PendingLength(ino);
    auto l = Length(ino);
    return std::max(l ? *l : 0, pending);
  }
};

struct DataEnvOptions {
  std::string meta = "fake";     // fake | mem | sqlite3
  std::string storage = "file";  // file | mem | s3 (a fresh bucket on the shared s3rver)
  uint32_t blockSizeKiB = 64;
  bool hashPrefix = false;
  uint32_t trashDays = 0;
  DataOptions data;
};

// ENOTSUP when the requested meta kind is not built.
Result<std::unique_ptr<DataEnv>> MakeDataEnv(const DataEnvOptions& opts, const std::string& dir);

}  // namespace slicefs::testing
