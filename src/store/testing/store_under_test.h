#pragma once

// One store test suite, run against every backend: a test takes a StoreUnderTest for its
// parameter and opens (and reopens) the store through it, so the same assertions hold for the
// SQLite file and for a PostgreSQL database on a real server (postgres_server.h).

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace opencapf::store::testing {

enum class Backend { kSqlite, kPostgres };

/// How gtest prints a parameter (ctest's test names carry it).
void PrintTo(Backend backend, std::ostream* out);

/// "Sqlite" / "Postgres", for test names (INSTANTIATE_TEST_SUITE_P's name generator).
std::string BackendName(const ::testing::TestParamInfo<Backend>& info);

/// Where a test's store lives: a new SQLite file in the test's directory, or a new database on
/// the test process's PostgreSQL server.
class StoreUnderTest {
 public:
  static Result<StoreUnderTest> Create(Backend backend, const std::filesystem::path& dir);

  /// Opens the store there (again: the data stays).
  Result<std::unique_ptr<Store>> Open(const Clock& clock) const;

  /// Runs SQL without parameters on the store's database, beside the store (to inject faults
  /// or look at rows); the first column of the first row as an integer, 0 when there is none.
  Result<std::int64_t> Sql(const std::string& sql) const;

  Backend backend() const { return backend_; }
  /// The SQLite file, or the database's URL.
  const std::string& location() const { return location_; }
  /// What the store's error messages name it by: the file, or "postgresql 127.0.0.1:PORT/DB".
  std::string NameInMessages() const;

 private:
  StoreUnderTest(Backend backend, std::string location, std::string database)
      : backend_(backend), location_(std::move(location)), database_(std::move(database)) {}

  Backend backend_;
  std::string location_;
  std::string database_;  ///< PostgreSQL only
};

}  // namespace opencapf::store::testing
