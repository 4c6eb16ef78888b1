#include "service/trust_material.h"

#include <gtest/gtest.h>

#include "service/certificates.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace opencapf::service {
namespace {

class TrustMaterialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("opencapf-tm-" + std::to_string(getpid()));
    std::filesystem::remove_all(root_);
    ASSERT_TRUE(Init(dir_, {}, clock_).ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static Bytes CapfRecordHash(const Bytes& itl) {
    auto list = tlv::Parse(itl);
    EXPECT_TRUE(list.ok());
    EXPECT_TRUE(tlv::Verify(itl, *list).valid());
    for (const auto& r : list->records) {
      if (r.role == static_cast<std::uint16_t>(tlv::Role::kCapf)) return r.CertificateSha1();
    }
    return {};
  }

  std::filesystem::path root_;
  DataDir dir_{std::filesystem::temp_directory_path() /
               ("opencapf-tm-" + std::to_string(getpid()))};
  FakeClock clock_{std::time(nullptr)};
};

TEST_F(TrustMaterialTest, RegeneratingCapfRebuildsEverythingAndKeepsTheOldIssuer) {
  TrustMaterial material(dir_, Config{}, clock_);
  ASSERT_TRUE(material.Load().ok());
  const pki::Certificate old_capf = material.capf()->authority.certificate;
  auto old_itl = material.itl();
  EXPECT_EQ(CapfRecordHash(*old_itl), old_capf.Fingerprint(pki::Digest::kSha1));
  EXPECT_FALSE(*material.ReloadIfChanged()) << "nothing changed yet";

  auto fresh = RegenerateCertificate(dir_, kCapf, std::nullopt, 365, clock_);
  ASSERT_TRUE(fresh.ok()) << fresh.message();
  auto reloaded = material.ReloadIfChanged();
  ASSERT_TRUE(reloaded.ok()) << reloaded.message();
  EXPECT_TRUE(*reloaded);

  auto endpoint = material.capf();
  EXPECT_EQ(endpoint->authority.certificate, fresh->certificate);
  EXPECT_EQ(endpoint->authority.certificate.Subject(), old_capf.Subject()) << "same name, new key";
  ASSERT_EQ(endpoint->authority.lsc_issuers.size(), 2u);
  EXPECT_EQ(endpoint->authority.lsc_issuers[1], old_capf) << "LSCs of the old CAPF stay trusted";
  EXPECT_EQ(CapfRecordHash(*material.itl()), fresh->certificate.Fingerprint(pki::Digest::kSha1));
  // Whoever held the old snapshot still has the whole old file.
  EXPECT_EQ(CapfRecordHash(*old_itl), old_capf.Fingerprint(pki::Digest::kSha1));
}

TEST_F(TrustMaterialTest, ABrokenFileKeepsThePreviousMaterial) {
  TrustMaterial material(dir_, Config{}, clock_);
  ASSERT_TRUE(material.Load().ok());
  auto before = material.capf();
  std::filesystem::resize_file(dir_.key(kCapf), 10);
  auto reloaded = material.ReloadIfChanged();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.message().find("capf"), std::string::npos) << reloaded.message();
  EXPECT_EQ(material.capf(), before);
}

TEST_F(TrustMaterialTest, RegenerateRefusesWhatPhonesCannotUse) {
  auto ec = RegenerateCertificate(dir_, kItlRecovery, pki::KeySpec{pki::KeyAlgorithm::kEc, 256},
                                  365, clock_);
  ASSERT_FALSE(ec.ok());
  EXPECT_NE(ec.message().find("must be RSA"), std::string::npos);
  EXPECT_FALSE(RegenerateCertificate(dir_, "bogus", std::nullopt, 365, clock_).ok());
}

}  // namespace
}  // namespace opencapf::service
