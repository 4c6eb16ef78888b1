#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "service/config.h"
#include "service/data_dir.h"
#include "store/store.h"

namespace opencapf::service {

/// Opens the store the configuration names: [store] url when it is a PostgreSQL URL, the SQLite
/// file opencapf.db in the data directory when it is "". Every command that takes --data opens
/// its store through here, so the CLI, `serve` and `doctor` always agree on where it is.
Result<std::unique_ptr<store::Store>> OpenStore(const DataDir& dir, const Config& config,
                                                const Clock& clock);

/// The same, reading the directory's opencapf.toml (its defaults when there is none yet).
Result<std::unique_ptr<store::Store>> OpenStore(const DataDir& dir, const Clock& clock);

/// How messages name the store: the SQLite file, or "postgresql HOST:PORT/DB" (no password).
std::string StoreName(const DataDir& dir, const Config& config);

}  // namespace opencapf::service
