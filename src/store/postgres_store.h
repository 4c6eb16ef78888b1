#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace opencapf::store {

/// How the PostgreSQL store connects.
struct PostgresOptions {
  /// Connections kept open at most; calls beyond that wait for a free one. Sessions on several
  /// I/O threads each take one, so a slow commit holds up only its own caller.
  std::size_t connections = 4;
  /// How long connecting to one host may take (unless the URL sets connect_timeout).
  std::chrono::seconds connect_timeout{5};
};

/// True for "postgresql://..." and "postgres://..." (what [store] url takes besides a file).
bool IsPostgresUrl(std::string_view url);

/// "postgresql HOST:PORT/DB" for messages: the URL without its password or options.
std::string DescribePostgresUrl(const std::string& url);

/// Opens the store in a PostgreSQL database and brings its schema up to date (see
/// postgres_schema.h); the database must exist. The semantics are those of the Store interface,
/// exactly as the SQLite store keeps them: one transaction per change, optimistic versions
/// (a concurrent Save of the same device from another node is refused, never merged),
/// generations every process sees.
///
/// Failover: a call that finds its connection broken, or the server a standby, reconnects to
/// the URL again (libpq's multi-host URLs with target_session_attrs=read-write find the new
/// primary) and runs once more — unless a COMMIT had been sent, when the outcome is unknown and
/// the call fails with a message that says so. While no host answers, calls fail at once with
/// "the database is unreachable"; nothing waits longer than the connect timeout.
///
/// Threads: any thread may call; calls run on up to `connections` connections at once.
/// `clock` stamps created/updated and events without a time; it must outlive the store.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const Clock& clock,
                                                 const PostgresOptions& options = {});

}  // namespace opencapf::store
