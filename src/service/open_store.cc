#include "service/open_store.h"

#include <system_error>

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace opencapf::service {

Result<std::unique_ptr<store::Store>> OpenStore(const DataDir& dir, const Config& config,
                                                const Clock& clock) {
  if (store::IsPostgresUrl(config.store.url)) {
    return store::OpenPostgresStore(config.store.url, clock);
  }
  return store::OpenSqliteStore(dir.store(), clock);
}

Result<std::unique_ptr<store::Store>> OpenStore(const DataDir& dir, const Clock& clock) {
  std::error_code ec;
  if (!std::filesystem::exists(dir.config(), ec)) return OpenStore(dir, Config{}, clock);
  auto config = LoadConfig(dir.config());
  if (!config.ok()) return config.error();
  return OpenStore(dir, *config, clock);
}

std::string StoreName(const DataDir& dir, const Config& config) {
  if (store::IsPostgresUrl(config.store.url)) return store::DescribePostgresUrl(config.store.url);
  return dir.store().string();
}

}  // namespace opencapf::service
