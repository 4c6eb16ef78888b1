#pragma once

// Moving an installation in: every row of an SQLite store copied into an empty PostgreSQL
// database, ids, times and versions as they were, in one PostgreSQL transaction (all of it or
// nothing). What `opencapf store migrate` runs before it makes the cluster and switches the data
// directory over.

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/result.h"

namespace opencapf::store {

/// Rows copied, by table.
struct CopyCounts {
  std::int64_t devices = 0;
  std::int64_t certificates = 0;  ///< LSCs, pending LSCs and MICs
  std::int64_t events = 0;        ///< session history
  std::int64_t trusted = 0;
  std::int64_t revocations = 0;
  std::int64_t api_tokens = 0;
  std::int64_t audit = 0;
  bool admin_password = false;
};

/// Copies the SQLite store at `sqlite_path` (brought to this build's schema first) into the
/// PostgreSQL database at `url` (likewise). Refused, with nothing written, when that database
/// holds anything already: devices, history, trust, revocations, administration or a cluster.
Result<CopyCounts> CopySqliteToPostgres(const std::filesystem::path& sqlite_path,
                                        const std::string& url);

}  // namespace opencapf::store
