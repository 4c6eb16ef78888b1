#pragma once

// A real PostgreSQL server for tests: on 127.0.0.1, in a temporary directory, trusting every
// local connection, stopped and removed when the test is done. Started by tests/pg-server, the
// script the shell tests use too; as root the server runs as `nobody`.

#include <sys/types.h>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace opencapf::store::testing {

/// One PostgreSQL server (a primary, or a standby of one) in a directory of its own.
class PostgresServer {
 public:
  /// Starts a server in a new temporary directory (under std::filesystem::temp_directory_path()).
  static Result<std::unique_ptr<PostgresServer>> Start();
  /// Starts a streaming-replication standby of `primary` (which must be running) in a new
  /// temporary directory, on a port of its own; it serves reads once it has caught up.
  static Result<std::unique_ptr<PostgresServer>> StartStandby(const PostgresServer& primary);

  /// A server someone else started in `directory` (tests/pg-server start), when it answers;
  /// it is left running when this object goes.
  static Result<std::unique_ptr<PostgresServer>> Attach(const std::string& directory);

  /// Stops the server and removes its directory (not one that was attached to).
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// postgresql://opencapf@127.0.0.1:PORT/<database>, as the superuser `opencapf`.
  std::string Url(std::string_view database = "postgres") const;
  /// Creates a new, empty database with a name of its own and returns its URL.
  Result<std::string> CreateDatabase();
  /// Runs one SQL statement as the superuser on `database` (for tests that inspect or break
  /// things); the first column of the first row as text, "" when there is none (or it is NULL).
  Result<std::string> Query(std::string_view sql, std::string_view database = "postgres");

  /// Stops the server (fast shutdown): connections fail until Restart().
  Status Stop();
  /// Starts the stopped server again, on the same port and with the same data.
  Status Restart();
  /// Makes this standby a primary that accepts writes (pg_ctl promote).
  Status Promote();

  /// The TCP port on 127.0.0.1.
  int port() const { return port_; }
  /// The directory holding the data (data/), the server's log (log) and its port (port).
  const std::string& directory() const { return directory_; }

 private:
  PostgresServer(std::string directory, int port);

  std::string directory_;
  int port_;
  pid_t owner_;  ///< the process that started it: a fork that exits leaves the server alone
  int next_database_ = 0;
  bool attached_ = false;  ///< started by someone else: not ours to stop
};

/// The test process's one server: the one ctest's `postgres.start` fixture runs for every test
/// process of the build (OPENCAPF_SHARED_POSTGRES), so each test pays for a database, not for a
/// server; or, run outside ctest, one started on first use and stopped when the process exits.
/// Tests that stop or break their server start one of their own instead.
/// Tests ASSERT on the result: a server that cannot start is a failure, never a skip.
Result<PostgresServer*> SharedPostgresServer();

}  // namespace opencapf::store::testing
