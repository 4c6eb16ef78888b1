#pragma once

// The SQLite store's schema and how an existing file is brought up to it.
//
// The schema version lives in `PRAGMA user_version`; `PRAGMA application_id` marks the file as
// an opencapf store. Each migration step runs in its own write transaction together with the
// version bump, so a step is either wholly applied or not at all, and a crash between steps
// leaves a database at an earlier, consistent version that the next open continues from.
// Steps are never edited once released: a change to the schema is a new step at the end.

#include <cstdint>
#include <span>

#include "base/result.h"
#include "store/sqlite.h"

namespace opencapf::store::sqlite {

/// `PRAGMA application_id` of an opencapf store: "CAPF" in ASCII.
inline constexpr std::int64_t kApplicationId = 0x43415046;

/// One schema step: after it runs, the database is at `version`.
struct Migration {
  int version;
  const char* what;  ///< for error messages: "devices, certificates and events"
  const char* sql;   ///< statements without parameters, separated by ';'
};

/// This build's steps, in order, versions 1, 2, ...
std::span<const Migration> Migrations();

/// The version this build brings every database to.
int LatestSchemaVersion();

/// Brings `db` up to the last of `steps` (by default this build's), one transaction per step.
/// Refuses a database whose version is newer than the last step (written by a newer opencapf),
/// and a database holding tables that is not an opencapf store.
Status Migrate(Database& db, std::span<const Migration> steps = Migrations());

}  // namespace opencapf::store::sqlite
