#include "store/sqlite_schema.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace opencapf::store::sqlite {
namespace {

using ::testing::HasSubstr;

class SqliteSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("opencapf-schema-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Database OpenDb() {
    auto db = Database::Open(dir_ / "test.db", 1000);
    EXPECT_TRUE(db.ok()) << db.message();
    return std::move(*db);
  }

  std::int64_t Int(Database& db, const char* sql) {
    auto v = db.QueryInt(sql, "test");
    EXPECT_TRUE(v.ok()) << v.message();
    return v.ok() ? *v : -1;
  }

  std::int64_t Tables(Database& db, const char* name) {
    auto stmt = db.Prepare("SELECT count(*) FROM sqlite_master WHERE name = ?1", "test");
    EXPECT_TRUE(stmt.ok());
    stmt->Bind(1, name);
    auto row = stmt->Step("test");
    EXPECT_TRUE(row.ok() && *row);
    return stmt->Int(0);
  }

  std::filesystem::path dir_;
};

TEST_F(SqliteSchemaTest, StepsAreNumberedFromOneInOrder) {
  auto steps = Migrations();
  ASSERT_FALSE(steps.empty());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].version, static_cast<int>(i + 1));
  }
  EXPECT_EQ(LatestSchemaVersion(), steps.back().version);
}

TEST_F(SqliteSchemaTest, MigratesAnEmptyFileAndIsIdempotent) {
  Database db = OpenDb();
  ASSERT_TRUE(Migrate(db).ok());
  EXPECT_EQ(Int(db, "PRAGMA user_version"), LatestSchemaVersion());
  EXPECT_EQ(Int(db, "PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(Tables(db, "devices"), 1);
  ASSERT_TRUE(Migrate(db).ok());
  EXPECT_EQ(Int(db, "PRAGMA user_version"), LatestSchemaVersion());
}

TEST_F(SqliteSchemaTest, AFailedStepLeavesTheEarlierVersionWhole) {
  const Migration good[] = {
      {1, "first", "CREATE TABLE one (x INTEGER); PRAGMA application_id = 1128353862"},
  };
  const Migration broken[] = {
      good[0],
      {2, "second", "CREATE TABLE two (x INTEGER); INSERT INTO one VALUES (1); CREATE TABLE ("},
  };
  const Migration fixed[] = {
      good[0],
      {2, "second", "CREATE TABLE two (x INTEGER); INSERT INTO one VALUES (1)"},
  };
  Database db = OpenDb();
  ASSERT_TRUE(Migrate(db, good).ok());
  EXPECT_EQ(Int(db, "PRAGMA user_version"), 1);

  auto failed = Migrate(db, broken);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.message(), HasSubstr("upgrading the schema to version 2 (second)"));
  EXPECT_THAT(failed.message(), HasSubstr("syntax error"));
  EXPECT_EQ(Int(db, "PRAGMA user_version"), 1);
  EXPECT_EQ(Tables(db, "two"), 0);  // the part of step 2 that ran was rolled back
  EXPECT_EQ(Int(db, "SELECT count(*) FROM one"), 0);

  ASSERT_TRUE(Migrate(db, fixed).ok());
  EXPECT_EQ(Int(db, "PRAGMA user_version"), 2);
  EXPECT_EQ(Tables(db, "two"), 1);
  EXPECT_EQ(Int(db, "SELECT count(*) FROM one"), 1);
  // Running the same steps again does nothing (step 2's INSERT is not repeated).
  ASSERT_TRUE(Migrate(db, fixed).ok());
  EXPECT_EQ(Int(db, "SELECT count(*) FROM one"), 1);

  // This database is now newer than a binary that knows only step 1.
  auto newer = Migrate(db, good);
  ASSERT_FALSE(newer.ok());
  EXPECT_THAT(newer.message(), HasSubstr("schema version 2, newer than the 1 this opencapf knows"));
}

TEST_F(SqliteSchemaTest, AnotherApplicationsFileIsRefused) {
  Database db = OpenDb();
  ASSERT_TRUE(db.Exec("PRAGMA application_id = 1234", "test").ok());
  auto refused = Migrate(db);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.message(), HasSubstr("belongs to another application (application_id 1234)"));
}

}  // namespace
}  // namespace opencapf::store::sqlite
