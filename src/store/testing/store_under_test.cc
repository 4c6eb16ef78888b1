#include "store/testing/store_under_test.h"

#include <charconv>

#include "store/postgres_store.h"
#include "store/sqlite.h"
#include "store/sqlite_store.h"
#include "store/testing/postgres_server.h"

namespace opencapf::store::testing {

void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL");
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

Result<StoreUnderTest> StoreUnderTest::Create(Backend backend, const std::filesystem::path& dir) {
  if (backend == Backend::kSqlite) {
    return StoreUnderTest(backend, (dir / "opencapf.db").string(), "");
  }
  auto server = SharedPostgresServer();
  if (!server.ok()) return server.error();
  auto url = (*server)->CreateDatabase();
  if (!url.ok()) return url.error();
  const std::string database = url->substr(url->rfind('/') + 1);
  return StoreUnderTest(backend, *url, database);
}

Result<std::unique_ptr<Store>> StoreUnderTest::Open(const Clock& clock) const {
  if (backend_ == Backend::kSqlite) return OpenSqliteStore(location_, clock);
  return OpenPostgresStore(location_, clock);
}

Result<std::int64_t> StoreUnderTest::Sql(const std::string& sql) const {
  if (backend_ == Backend::kSqlite) {
    auto db = sqlite::Database::Open(location_, 1000);
    if (!db.ok()) return db.error();
    auto stmt = db->Prepare(sql, "test SQL");
    if (!stmt.ok()) return stmt.error();
    auto row = stmt->Step("test SQL");
    if (!row.ok()) return row.error();
    return *row ? stmt->Int(0) : 0;
  }
  auto server = SharedPostgresServer();
  if (!server.ok()) return server.error();
  auto text = (*server)->Query(sql, database_);
  if (!text.ok()) return text.error();
  std::int64_t out = 0;
  std::from_chars(text->data(), text->data() + text->size(), out);
  return out;
}

std::string StoreUnderTest::NameInMessages() const {
  if (backend_ == Backend::kSqlite) return location_;
  auto server = SharedPostgresServer();
  const int port = server.ok() ? (*server)->port() : 0;
  return "postgresql 127.0.0.1:" + std::to_string(port) + "/" + database_;
}

}  // namespace opencapf::store::testing
