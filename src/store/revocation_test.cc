// Revoked LSCs in every store backend: device revoke, device remove, the generation.
#include <unistd.h>

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/testing/store_under_test.h"

namespace opencapf::store {
namespace {

using ::testing::HasSubstr;

constexpr std::time_t kT0 = 1'796'119'200;  // 2026-12-01T10:00:00Z

StoredCertificate Cert(const std::string& serial) {
  return StoredCertificate{
      "-----BEGIN CERTIFICATE-----\n" + serial + "\n-----END CERTIFICATE-----\n",
      serial,
      "CN=SEP001122AABBCC",
      "CN=CAPF-0a1b2c3d,O=Example",
      kT0 - 60,
      kT0 + 86400};
}

class RevocationStoreTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '-');
    dir_ = std::filesystem::temp_directory_path() /
           ("opencapf-revocation-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto where = testing::StoreUnderTest::Create(GetParam(), dir_);
    ASSERT_TRUE(where.ok()) << where.message();
    auto opened = where->Open(clock_);
    ASSERT_TRUE(opened.ok()) << opened.message();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void AddInstalled(const std::string& name, const std::string& serial,
                    std::optional<std::string> pending = std::nullopt) {
    Device d;
    d.name = name;
    d.lsc_status = LscStatus::kInstalled;
    d.lsc = Cert(serial);
    if (pending) d.pending_lsc = Cert(*pending);
    ASSERT_TRUE(store_->Add(d).ok());
  }

  FakeClock clock_{kT0};
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};
INSTANTIATE_TEST_SUITE_P(Backends, RevocationStoreTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         testing::BackendName);

TEST_P(RevocationStoreTest, RevokeRecordsTheLscAndThePendingOneOnceWithAnEvent) {
  AddInstalled("SEP001122AABBCC", "0A", "0B");
  EXPECT_EQ(*store_->RevocationGeneration(), 0);
  auto revoked =
      store_->RevokeDeviceCertificates("sep001122aabbcc", RevocationReason::kKeyCompromise,
                                       Event{.operation = "revoke", .result = "ok"});
  ASSERT_TRUE(revoked.ok()) << revoked.message();
  ASSERT_EQ(revoked->size(), 2u);
  EXPECT_EQ((*revoked)[0].serial_hex, "0A");
  EXPECT_EQ((*revoked)[0].device, "SEP001122AABBCC");
  EXPECT_EQ((*revoked)[0].issuer, "CN=CAPF-0a1b2c3d,O=Example");
  EXPECT_EQ((*revoked)[0].reason, RevocationReason::kKeyCompromise);
  EXPECT_EQ((*revoked)[0].revoked_at, kT0);
  EXPECT_EQ((*revoked)[0].not_after, kT0 + 86400);
  EXPECT_THAT((*revoked)[0].pem, HasSubstr("BEGIN CERTIFICATE"));
  EXPECT_EQ((*revoked)[1].serial_hex, "0B");
  const auto generation = *store_->RevocationGeneration();
  EXPECT_GT(generation, 0);
  auto history = store_->History("SEP001122AABBCC", 0);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].operation, "revoke");

  // Again: nothing new, the first reason and time stay.
  clock_.Advance(60);
  auto again = store_->RevokeDeviceCertificates("SEP001122AABBCC", RevocationReason::kSuperseded,
                                                std::nullopt);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(*store_->RevocationGeneration(), generation);
  auto found = store_->FindRevocation("CN=CAPF-0a1b2c3d,O=Example", "0A");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((**found).reason, RevocationReason::kKeyCompromise);
  EXPECT_EQ((**found).revoked_at, kT0);
  EXPECT_FALSE(store_->FindRevocation("CN=other", "0A")->has_value());
}

TEST_P(RevocationStoreTest, RevokingAnUnknownDeviceFailsAndOneWithoutLscRevokesNothing) {
  auto missing =
      store_->RevokeDeviceCertificates("SEP00000000BEEF", RevocationReason::kUnspecified, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.message(), HasSubstr("there is no device SEP00000000BEEF"));
  Device d;
  d.name = "SEP00000000BEEF";
  ASSERT_TRUE(store_->Add(d).ok());
  auto none =
      store_->RevokeDeviceCertificates("SEP00000000BEEF", RevocationReason::kUnspecified, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(RevocationStoreTest, RemovingADeviceRevokesItsLscAndTheRevocationOutlivesIt) {
  AddInstalled("SEP001122AABBCC", "0C");
  ASSERT_TRUE(store_->Remove("SEP001122AABBCC").ok());
  auto all = store_->ListRevocations();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].serial_hex, "0C");
  EXPECT_EQ((*all)[0].reason, RevocationReason::kCessationOfOperation);
  // A failed remove revokes nothing.
  ASSERT_FALSE(store_->Remove("SEP001122AABBCC").ok());
  EXPECT_EQ(store_->ListRevocations()->size(), 1u);
}

TEST_P(RevocationStoreTest, ARevokedReplacedLscTakesEffectWhenAskedNeverBefore) {
  AddInstalled("SEP001122AABBCC", "0D");
  Revocation replaced{.serial_hex = "0D",
                      .issuer = "CN=CAPF-0a1b2c3d,O=Example",
                      .device = "sep001122aabbcc",
                      .reason = RevocationReason::kSuperseded,
                      .revoked_at = kT0 + 3 * 86400,  // kept three days
                      .not_after = kT0 + 86400 * 365,
                      .pem = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"};
  auto recorded = store_->RevokeCertificate(
      replaced, Event{.operation = "revoke", .result = "ok", .reason = "superseded"});
  ASSERT_TRUE(recorded.ok()) << recorded.message();
  ASSERT_TRUE(recorded->has_value());
  EXPECT_GT((**recorded).id, 0);
  EXPECT_EQ((**recorded).device, "SEP001122AABBCC");
  EXPECT_EQ((**recorded).revoked_at, kT0 + 3 * 86400);
  EXPECT_EQ((**recorded).reason, RevocationReason::kSuperseded);
  EXPECT_GT(*store_->RevocationGeneration(), 0);
  auto history = store_->History("SEP001122AABBCC", 0);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].reason, "superseded");
  // Once only.
  auto again = store_->RevokeCertificate(replaced, std::nullopt);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  // Never in the past: a time before now becomes now.
  replaced.serial_hex = "0E";
  replaced.revoked_at = kT0 - 86400;
  auto now = store_->RevokeCertificate(replaced, std::nullopt);
  ASSERT_TRUE(now.ok() && now->has_value()) << now.message();
  EXPECT_EQ((**now).revoked_at, kT0);
  EXPECT_EQ(store_->ListRevocations()->size(), 2u);
}

TEST(RevocationReasonTest, ParsesEverySpelling) {
  EXPECT_EQ(*ParseRevocationReason("keyCompromise"), RevocationReason::kKeyCompromise);
  EXPECT_EQ(*ParseRevocationReason("key_compromise"), RevocationReason::kKeyCompromise);
  EXPECT_EQ(*ParseRevocationReason("Cessation-Of-Operation"),
            RevocationReason::kCessationOfOperation);
  EXPECT_EQ(ToText(RevocationReason::kAffiliationChanged), "affiliation-changed");
  auto bad = ParseRevocationReason("lost");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("unspecified, key-compromise"));
}

}  // namespace
}  // namespace opencapf::store
