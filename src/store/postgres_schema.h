#pragma once

// The PostgreSQL store's schema and how a database is brought up to it.
//
// The version lives in the table opencapf_schema (one row per step applied). Every node runs
// Migrate when it opens the store; the steps run in one transaction under an advisory lock, so
// nodes that start at once on an empty database migrate it once and the others wait, then find
// it done. Steps are never edited once released: a change to the schema is a new step at the
// end, in this file and in sqlite_schema.cc alike.

#include <span>

#include "base/result.h"
#include "store/postgres.h"

namespace opencapf::store::pg {

/// One schema step: after it runs, the database is at `version`.
struct Migration {
  int version;
  const char* what;  ///< for messages: "devices, trust, revocations, administration"
  const char* sql;   ///< statements without parameters, separated by ';'
};

/// This build's steps, in order, versions 1, 2, ...
std::span<const Migration> Migrations();

/// The version this build brings every database to.
int LatestSchemaVersion();

/// The advisory lock key migrations hold ("CAPF" in ASCII, as SQLite's application_id).
inline constexpr long long kMigrationLock = 0x43415046;

/// Brings the database up to the last of `steps`. Refuses a database at a newer version (written
/// by a newer opencapf) and one that holds tables of something else in its schema.
Status Migrate(Connection& conn, std::span<const Migration> steps = Migrations());

}  // namespace opencapf::store::pg
