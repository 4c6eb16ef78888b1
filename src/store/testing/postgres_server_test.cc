#include "store/testing/postgres_server.h"

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace opencapf::store::testing {
namespace {

// Polls `query` on `database` of `server` until it returns `expected` or ~10 s have passed;
// the last answer (or error).
std::string WaitFor(PostgresServer& server, const std::string& database, const std::string& sql,
                    const std::string& expected) {
  std::string last;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    auto answer = server.Query(sql, database);
    last = answer.ok() ? *answer : "error: " + answer.message();
    if (last == expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;
}

std::string DatabaseOf(const std::string& url) { return url.substr(url.rfind('/') + 1); }

TEST(PostgresServerTest, SharedServerAnswersOnLoopback) {
  auto server = SharedPostgresServer();
  ASSERT_TRUE(server.ok()) << server.message();
  auto again = SharedPostgresServer();
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(*server, *again);

  PostgresServer& pg = **server;
  EXPECT_GT(pg.port(), 0);
  EXPECT_EQ(pg.Url(), "postgresql://opencapf@127.0.0.1:" + std::to_string(pg.port()) + "/postgres");
  EXPECT_EQ(pg.Url("x"), "postgresql://opencapf@127.0.0.1:" + std::to_string(pg.port()) + "/x");
  EXPECT_TRUE(std::filesystem::is_directory(pg.directory() + "/data"));

  auto user = pg.Query("SELECT current_user");
  ASSERT_TRUE(user.ok()) << user.message();
  EXPECT_EQ(*user, "opencapf");
  auto encoding = pg.Query("SHOW server_encoding");
  ASSERT_TRUE(encoding.ok()) << encoding.message();
  EXPECT_EQ(*encoding, "UTF8");
  auto address = pg.Query("SELECT host(inet_server_addr())");
  ASSERT_TRUE(address.ok()) << address.message();
  EXPECT_EQ(*address, "127.0.0.1");
  auto none = pg.Query("SELECT 1 WHERE false");
  ASSERT_TRUE(none.ok()) << none.message();
  EXPECT_EQ(*none, "");

  auto bad = pg.Query("SELEKT 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("syntax error"), std::string::npos) << bad.message();
}

TEST(PostgresServerTest, DatabasesAreSeparate) {
  auto server = SharedPostgresServer();
  ASSERT_TRUE(server.ok()) << server.message();
  PostgresServer& pg = **server;

  auto first = pg.CreateDatabase();
  ASSERT_TRUE(first.ok()) << first.message();
  auto second = pg.CreateDatabase();
  ASSERT_TRUE(second.ok()) << second.message();
  ASSERT_NE(*first, *second);
  EXPECT_TRUE(first->starts_with(pg.Url(""))) << *first;

  ASSERT_TRUE(pg.Query("CREATE TABLE t (v text)", DatabaseOf(*first)).ok());
  ASSERT_TRUE(pg.Query("INSERT INTO t VALUES ('one')", DatabaseOf(*first)).ok());
  auto value = pg.Query("SELECT v FROM t", DatabaseOf(*first));
  ASSERT_TRUE(value.ok()) << value.message();
  EXPECT_EQ(*value, "one");

  auto tables =
      pg.Query("SELECT count(*) FROM pg_tables WHERE tablename = 't'", DatabaseOf(*second));
  ASSERT_TRUE(tables.ok()) << tables.message();
  EXPECT_EQ(*tables, "0");
  auto missing = pg.Query("SELECT v FROM t", DatabaseOf(*second));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("does not exist"), std::string::npos) << missing.message();
}

TEST(PostgresServerTest, StopMakesItUnreachableUntilRestart) {
  // A server of its own: the shared one serves other test processes meanwhile.
  auto server = PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.message();
  PostgresServer& pg = **server;
  auto database = pg.CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.message();
  ASSERT_TRUE(pg.Query("CREATE TABLE kept (v int)", DatabaseOf(*database)).ok());
  ASSERT_TRUE(pg.Query("INSERT INTO kept VALUES (7)", DatabaseOf(*database)).ok());
  const int port = pg.port();

  Status stopped = pg.Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.message();
  auto refused = pg.Query("SELECT 1");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("cannot connect"), std::string::npos) << refused.message();
  Status stopped_again = pg.Stop();
  EXPECT_TRUE(stopped_again.ok()) << stopped_again.message();

  Status restarted = pg.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.message();
  EXPECT_EQ(pg.port(), port);
  auto value = pg.Query("SELECT v FROM kept", DatabaseOf(*database));
  ASSERT_TRUE(value.ok()) << value.message();
  EXPECT_EQ(*value, "7");
}

TEST(PostgresServerTest, StandbyFollowsThePrimaryAndCanBePromoted) {
  auto server = SharedPostgresServer();
  ASSERT_TRUE(server.ok()) << server.message();
  PostgresServer& primary = **server;
  auto database = primary.CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.message();
  const std::string name = DatabaseOf(*database);
  ASSERT_TRUE(primary.Query("CREATE TABLE r (v text)", name).ok());
  ASSERT_TRUE(primary.Query("INSERT INTO r VALUES ('before')", name).ok());

  auto started = PostgresServer::StartStandby(primary);
  ASSERT_TRUE(started.ok()) << started.message();
  PostgresServer& standby = **started;
  EXPECT_NE(standby.port(), primary.port());
  const std::string standby_directory = standby.directory();

  auto recovering = standby.Query("SELECT pg_is_in_recovery()");
  ASSERT_TRUE(recovering.ok()) << recovering.message();
  EXPECT_EQ(*recovering, "t");
  EXPECT_EQ(WaitFor(standby, name, "SELECT string_agg(v, ',' ORDER BY v) FROM r", "before"),
            "before");

  ASSERT_TRUE(primary.Query("INSERT INTO r VALUES ('streamed')", name).ok());
  EXPECT_EQ(
      WaitFor(standby, name, "SELECT string_agg(v, ',' ORDER BY v) FROM r", "before,streamed"),
      "before,streamed");
  auto read_only = standby.Query("INSERT INTO r VALUES ('refused')", name);
  ASSERT_FALSE(read_only.ok());
  EXPECT_NE(read_only.message().find("read-only"), std::string::npos) << read_only.message();

  Status promoted = standby.Promote();
  ASSERT_TRUE(promoted.ok()) << promoted.message();
  auto after = standby.Query("SELECT pg_is_in_recovery()");
  ASSERT_TRUE(after.ok()) << after.message();
  EXPECT_EQ(*after, "f");
  ASSERT_TRUE(standby.Query("INSERT INTO r VALUES ('written')", name).ok());
  auto rows = standby.Query("SELECT string_agg(v, ',' ORDER BY v) FROM r", name);
  ASSERT_TRUE(rows.ok()) << rows.message();
  EXPECT_EQ(*rows, "before,streamed,written");

  started->reset();
  EXPECT_FALSE(std::filesystem::exists(standby_directory));
}

TEST(PostgresServerTest, OwnServerIsRemovedWithItsObject) {
  std::string directory;
  {
    auto server = PostgresServer::Start();
    ASSERT_TRUE(server.ok()) << server.message();
    directory = (*server)->directory();
    EXPECT_TRUE(std::filesystem::is_directory(directory + "/data"));
    auto answer = (*server)->Query("SELECT 40 + 2");
    ASSERT_TRUE(answer.ok()) << answer.message();
    EXPECT_EQ(*answer, "42");
  }
  EXPECT_FALSE(std::filesystem::exists(directory));
}

}  // namespace
}  // namespace opencapf::store::testing
