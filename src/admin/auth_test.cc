// Login sessions, the login rate limit and API tokens, with a fake clock.
#include "admin/auth.h"

#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/clock.h"
#include "pki/secret.h"
#include "store/sqlite_store.h"

namespace opencapf::admin {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::time_t kT0 = 1'796'119'200;

TEST(LoginSessionsTest, EndAfterIdleOrMaximumOrLogout) {
  LoginSessions sessions(/*idle=*/1800, /*max=*/12 * 3600);
  auto s = sessions.Create("admin", "v1", kT0);
  EXPECT_EQ(s.id.size(), 43u);
  EXPECT_NE(s.id, s.csrf);
  ASSERT_TRUE(sessions.Find(s.id, kT0 + 1799).has_value());
  ASSERT_TRUE(sessions.Find(s.id, kT0 + 1799 + 1799).has_value()) << "seen: idle time restarts";
  EXPECT_FALSE(sessions.Find(s.id, kT0 + 1799 + 1799 + 1801).has_value()) << "idle too long";
  EXPECT_FALSE(sessions.Find(s.id, kT0).has_value()) << "an ended session stays ended";

  auto old = sessions.Create("admin", "v1", kT0);
  for (std::time_t t = kT0; t < kT0 + 12 * 3600; t += 1000) {
    ASSERT_TRUE(sessions.Find(old.id, t).has_value());
  }
  EXPECT_FALSE(sessions.Find(old.id, kT0 + 12 * 3600 + 1).has_value()) << "too old";

  auto a = sessions.Create("admin", "v1", kT0);
  auto b = sessions.Create("admin", "v1", kT0);
  sessions.End(a.id);
  EXPECT_FALSE(sessions.Find(a.id, kT0).has_value());
  EXPECT_TRUE(sessions.Find(b.id, kT0).has_value());
  EXPECT_FALSE(sessions.Find(b.id.substr(0, 42), kT0).has_value());
  EXPECT_FALSE(sessions.Find("", kT0).has_value());
  sessions.EndAll();
  EXPECT_FALSE(sessions.Find(b.id, kT0).has_value());
}

TEST(LoginRateLimiterTest, WaitsAfterTooManyAttemptsPerAddress) {
  LoginRateLimiter limiter(3, 300);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Begin("192.0.2.1", kT0 + i), 0);
  EXPECT_EQ(limiter.Begin("192.0.2.1", kT0 + 3), 297) << "until the first attempt is 300 s old";
  EXPECT_EQ(limiter.Begin("192.0.2.1", kT0 + 4), 296) << "a refused attempt is not counted";
  EXPECT_EQ(limiter.Begin("192.0.2.2", kT0 + 3), 0) << "other addresses are not held up";
  EXPECT_EQ(limiter.Begin("192.0.2.1", kT0 + 300), 0);
  limiter.Succeeded("192.0.2.2");
  EXPECT_EQ(limiter.Begin("192.0.2.2", kT0), 0);
  EXPECT_EQ(limiter.Begin("192.0.2.2", kT0), 0);
  EXPECT_EQ(limiter.Begin("192.0.2.2", kT0), 0) << "a success forgets earlier attempts";
  EXPECT_GT(limiter.Begin("192.0.2.2", kT0), 0);
}

TEST(LoginRateLimiterTest, AttemptsInFlightCountBeforeTheyAreChecked) {
  // Ten requests arrive at once; their passwords are checked later. Only three may try.
  LoginRateLimiter limiter(3, 300);
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += limiter.Begin("192.0.2.9", kT0) == 0 ? 1 : 0;
  EXPECT_EQ(admitted, 3);
}

TEST(LoginRateLimiterTest, Ipv6IsCountedPerSlash64) {
  EXPECT_EQ(LoginRateLimiter::ClientKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(LoginRateLimiter::ClientKey("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(LoginRateLimiter::ClientKey("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
  LoginRateLimiter limiter(2, 300);
  EXPECT_EQ(limiter.Begin("2001:db8:1:2::1", kT0), 0);
  EXPECT_EQ(limiter.Begin("2001:db8:1:2::2", kT0), 0);
  EXPECT_GT(limiter.Begin("2001:db8:1:2:ffff::3", kT0), 0) << "same /64: one client";
  EXPECT_EQ(limiter.Begin("2001:db8:1:3::1", kT0), 0);
}

TEST(LoginRateLimiterTest, StaysBoundedUnderAFloodOfAddresses) {
  LoginRateLimiter limiter(5, 300);
  for (std::size_t i = 0; i < LoginRateLimiter::kMaxClients + 500; ++i) {
    (void)limiter.Begin("10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) +
                            "." + std::to_string(i % 256),
                        kT0 + static_cast<std::time_t>(i / 1000));
  }
  EXPECT_LE(limiter.clients(), LoginRateLimiter::kMaxClients);
}

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("opencapf-admin-token-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto opened = store::OpenSqliteStore(dir_ / "s.db", clock_);
    ASSERT_TRUE(opened.ok()) << opened.message();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  FakeClock clock_{kT0};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(TokenTest, TokensAreShownOnceAndCheckedByHash) {
  auto token = CreateApiToken(*store_, "ci-script");
  ASSERT_TRUE(token.ok()) << token.message();
  EXPECT_THAT(*token, StartsWith("ocf_"));
  auto listed = store_->ListApiTokens();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].sha256, pki::Sha256Hex(*token)) << "only the hash is kept";

  auto found = CheckApiToken(*store_, *token, kT0 + 5);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, "ci-script");
  EXPECT_EQ((*store_->ListApiTokens())[0].last_used, kT0 + 5);
  EXPECT_FALSE(CheckApiToken(*store_, *token + "x", kT0)->has_value());
  EXPECT_FALSE(CheckApiToken(*store_, "", kT0)->has_value());

  EXPECT_THAT(CreateApiToken(*store_, "ci-script").message(), HasSubstr("already"));
  EXPECT_THAT(CreateApiToken(*store_, "no spaces").message(), HasSubstr("not a token name"));
  ASSERT_TRUE(store_->RemoveApiToken("ci-script").ok());
  EXPECT_FALSE(CheckApiToken(*store_, *token, kT0)->has_value()) << "revoked";
}

TEST_F(TokenTest, PasswordCheck) {
  EXPECT_THAT(CheckAdminPassword(*store_, "x").message(), HasSubstr("opencapf admin passwd"));
  ASSERT_TRUE(store_->SetAdminPassword(*pki::HashPassword("right password!", {1024, 8, 1})).ok());
  EXPECT_TRUE(*CheckAdminPassword(*store_, "right password!"));
  EXPECT_FALSE(*CheckAdminPassword(*store_, "wrong password!"));
}

}  // namespace
}  // namespace opencapf::admin
