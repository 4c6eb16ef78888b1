// The administration records: the password hash, API tokens and the audit log, kept across
// reopening the file.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/testing/store_under_test.h"

namespace opencapf::store {
namespace {

using ::testing::HasSubstr;

constexpr std::time_t kT0 = 1'796'119'200;  // 2026-12-01T10:00:00Z

class AdminStoreTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info->name();
    std::replace(name.begin(), name.end(), '/', '-');
    dir_ = std::filesystem::temp_directory_path() /
           ("opencapf-admin-store-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto where = testing::StoreUnderTest::Create(GetParam(), dir_);
    ASSERT_TRUE(where.ok()) << where.message();
    where_.emplace(std::move(*where));
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto opened = where_->Open(clock_);
    ASSERT_TRUE(opened.ok()) << opened.message();
    store_ = std::move(*opened);
  }

  FakeClock clock_{kT0};
  std::filesystem::path dir_;
  std::optional<testing::StoreUnderTest> where_;
  std::unique_ptr<Store> store_;
};
INSTANTIATE_TEST_SUITE_P(Backends, AdminStoreTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         testing::BackendName);

TEST_P(AdminStoreTest, PasswordHashIsReplacedAndKept) {
  auto none = store_->AdminPasswordHash();
  ASSERT_TRUE(none.ok()) << none.message();
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store_->SetAdminPassword("pbkdf2-sha256$1$a$b").ok());
  ASSERT_TRUE(store_->SetAdminPassword("pbkdf2-sha256$1$c$d").ok());
  Reopen();
  auto hash = store_->AdminPasswordHash();
  ASSERT_TRUE(hash.ok() && hash->has_value());
  EXPECT_EQ(**hash, "pbkdf2-sha256$1$c$d");
}

TEST_P(AdminStoreTest, TokensAreNamedOnceListedTouchedAndRemoved) {
  ApiToken ci{.name = "ci", .sha256 = std::string(64, 'a')};
  ASSERT_TRUE(store_->AddApiToken(ci).ok());
  Status again = store_->AddApiToken({.name = "ci", .sha256 = std::string(64, 'b')});
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.message(), HasSubstr("already an API token named 'ci'"));
  EXPECT_FALSE(store_->AddApiToken({.name = "bad", .sha256 = "not-hex"}).ok());
  ASSERT_TRUE(store_->AddApiToken({.name = "backup", .sha256 = std::string(64, 'c')}).ok());

  clock_.Advance(60);
  ASSERT_TRUE(store_->TouchApiToken("ci", clock_.Now()).ok());
  auto list = store_->ListApiTokens();
  ASSERT_TRUE(list.ok()) << list.message();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "backup");
  EXPECT_FALSE((*list)[0].last_used.has_value());
  EXPECT_EQ((*list)[1].name, "ci");
  EXPECT_EQ((*list)[1].created, kT0);
  EXPECT_EQ((*list)[1].last_used, kT0 + 60);

  ASSERT_TRUE(store_->RemoveApiToken("ci").ok());
  Status gone = store_->RemoveApiToken("ci");
  EXPECT_THAT(gone.message(), HasSubstr("no API token named 'ci'"));
  EXPECT_EQ(store_->ListApiTokens()->size(), 1u);
}

TEST_P(AdminStoreTest, AuditLogIsNewestFirstAndLimited) {
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(1);
    AuditEntry e{.actor = "admin",
                 .peer = "127.0.0.1",
                 .action = "device.create",
                 .target = "SEP00000000000" + std::to_string(i),
                 .detail = "added"};
    ASSERT_TRUE(store_->AppendAudit(e).ok());
  }
  EXPECT_FALSE(store_->AppendAudit({.actor = "admin"}).ok()) << "an action is required";
  auto all = store_->ListAudit(0);
  ASSERT_TRUE(all.ok()) << all.message();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].target, "SEP000000000002");
  EXPECT_EQ((*all)[0].at, kT0 + 3);
  EXPECT_EQ((*all)[2].at, kT0 + 1);
  auto two = store_->ListAudit(2);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].target, "SEP000000000001");
}

}  // namespace
}  // namespace opencapf::store
