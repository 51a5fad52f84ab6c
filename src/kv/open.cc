// OpenKvStore: META-URL -> engine.
#include <cstdlib>

#include "common/url.h"
#include "kv/kv.h"
#include "kv/etcd_kv.h"
#include "kv/mem_kv.h"
#include "kv/postgres_kv.h"
#include "kv/redis_kv.h"
#include "kv/sqlite_kv.h"

namespace slicefs {

Result<std::unique_ptr<KvStore>> OpenKvStore(std::string_view url) { return OpenKvStore(url, KvOpenOptions{}); }

Result<std::unique_ptr<KvStore>> OpenKvStore(std::string_view url, const KvOpenOptions& options) {
  ASSIGN_OR_RETURN(Url u, Url::Parse(url));
  // A password kept out of the URL (and so out of process arguments, logs
  // and the mount's attributes): JuiceFS's META_PASSWORD variable.
  if (u.password.empty() && (u.scheme == "redis" || u.scheme == "rediss" || u.scheme.starts_with("postgres"))) {
    if (const char* pw = std::getenv("META_PASSWORD"); pw != nullptr && *pw != '\0') u.password = pw;
  }
  if (u.scheme == "mem") return NewMemKvStore(u.path);
  if (u.scheme == "sqlite3" || u.scheme == "sqlite") return OpenSqliteKvStore(u.path, options.create);
  if (u.scheme == "redis" || u.scheme == "rediss") return OpenRedisKvStore(u);
  if (u.scheme == "etcd") return OpenEtcdKvStore(u);
  if (u.scheme == "postgres" || u.scheme == "postgresql") return OpenPostgresKvStore(u);
  return Err(EINVAL, "unknown metadata engine '" + u.scheme + "' in '" + u.Redacted() +
                         "' (supported: mem://, sqlite3://PATH, redis[s]://HOST:PORT/DB, postgres://USER:PASS@HOST:PORT/DB, etcd://HOST:PORT/PREFIX)");
}

}  // namespace slicefs
