// Storage preparation for s3 at `format`.
#include <random>

#include "object/s3_store.h"

namespace slicefs {

Status PrepareS3Storage(const VolumeFormat& fmt) {
  auto cfg = S3Config::FromFormat(fmt);
  if (!cfg) return cfg.error();
  // Fail fast on a bad endpoint: few retries, short timeouts.
  cfg->ioRetries = std::min(cfg->ioRetries, 2);
  cfg->connectTimeoutMs = std::min<int64_t>(cfg->connectTimeoutMs, 5000);
  cfg->getTimeoutMs = std::min<int64_t>(cfg->getTimeoutMs, 30000);
  cfg->putTimeoutMs = std::min<int64_t>(cfg->putTimeoutMs, 30000);
  S3Store store(*cfg);
  const std::string where = "s3 storage " + store.describe();
  auto fail = [&](const Status& st) {
    return Status::Error(st.code(), where + ": " + st.message());
  };

  Status st = store.checkBucket();
  if (st.is(ENXIO)) {
    st = store.create();
    if (!st.ok())
      return fail(Status::Error(st.code(), "bucket '" + cfg->bucket + "' is missing and could not be created: " +
                                               st.message()));
  } else if (!st.ok()) {
    return fail(st);
  }

  std::mt19937_64 rng{std::random_device{}()};
  std::string probe = fmt.name + "/.slicefs-probe-" + std::to_string(rng());
  std::string data = "slicefs storage probe " + fmt.uuid;
  if (Status p = store.put(probe, std::span<const char>(data.data(), data.size())); !p.ok())
    return fail(Status::Error(p.code(), "cannot write: " + p.message()));
  auto got = store.get(probe);
  if (!got) {
    (void)store.del(probe);
    return fail(Status::Error(got.error().code(), "cannot read back: " + got.error().message()));
  }
  if (*got != data) {
    (void)store.del(probe);
    return fail(Status::IOError("probe object read back different bytes (" + std::to_string(got->size()) +
                                " instead of " + std::to_string(data.size()) + ")"));
  }
  if (Status d = store.del(probe); !d.ok()) return fail(Status::Error(d.code(), "cannot delete: " + d.message()));
  return Status::OK();
}

}  // namespace slicefs
