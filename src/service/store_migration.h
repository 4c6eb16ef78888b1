#pragma once

// `opencapf store migrate --data DIR --to postgresql://...`: a one-node installation moves into
// PostgreSQL and becomes the first node of a cluster.

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "service/data_dir.h"
#include "store/sqlite_to_postgres.h"

namespace opencapf::service {

struct StoreMigration {
  store::CopyCounts counts;
  std::vector<std::string> lines;  ///< what was done, for the person who ran it
};

/// Copies the data directory's SQLite store into the (empty) PostgreSQL database at `url`,
/// makes the cluster from the directory's certificates (cluster.key written, 0600), and switches
/// opencapf.toml's [store] url to it. Refused, with nothing changed, when the directory is on
/// PostgreSQL already or the database holds anything (a cluster, devices, trust...). The SQLite
/// file stays as it was: the backup until the cluster is known good. `serve` must not run on
/// the directory meanwhile: what it wrote after the copy would stay behind in the SQLite file.
Result<StoreMigration> MigrateStoreToPostgres(const DataDir& dir, const std::string& url,
                                              const Clock& clock);

}  // namespace opencapf::service
