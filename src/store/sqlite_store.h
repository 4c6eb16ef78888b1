#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace opencapf::store {

/// How the SQLite store opens its file.
struct SqliteOptions {
  /// How long a call waits for another process's write lock before failing with "database is
  /// locked". This bounds how long any store call can block on another writer.
  std::chrono::milliseconds busy_timeout{5000};
};

/// Opens the store in an SQLite file, creating it (mode 0600, whatever the umask) when
/// missing, and brings its schema up to date (see sqlite_schema.h). The file runs in WAL mode
/// with synchronous=FULL (a committed change survives power loss), foreign keys on and the
/// busy timeout above. The directory must exist.
///
/// Refused, with a message saying why: a file that is not SQLite, an SQLite file of another
/// application, and a database written by a newer opencapf (a newer schema version).
///
/// Threads: the store holds one connection and a mutex; any thread may call it and calls run
/// one at a time. Calls block on disk writes (and on other processes, up to busy_timeout), so
/// keep them off latency-critical I/O threads or accept that bound. Several processes (the
/// server and the CLI) may open the same file at once; SQLite's locking keeps them consistent.
///
/// `clock` stamps created/updated and events without a time; it must outlive the store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& path,
                                               const Clock& clock,
                                               const SqliteOptions& options = {});

}  // namespace opencapf::store
