#include "service/device_encryption.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pki/issuer.h"

namespace opencapf::service {
namespace {

using ::testing::HasSubstr;

/// A stored certificate with a key of `spec` ("rsa:2048", "ec:256").
store::StoredCertificate EncryptionTestCertificate(const char* spec, const char* cn) {
  auto key = pki::KeySpec::Parse(spec);
  EXPECT_TRUE(key.ok()) << key.message();
  pki::CertificateProfile profile;
  profile.subject = {{"CN", cn}};
  auto made = pki::SelfSigned(*key, profile);
  EXPECT_TRUE(made.ok()) << made.message();
  return {.pem = made->certificate.ToPem(), .subject = std::string("CN=") + cn};
}

store::Device EncryptingPhone() {
  return store::Device{.name = "SEP001122AABBCC", .encrypted_config = true};
}

TEST(DeviceEncryption, WithoutACertificateTheConfigurationWaitsForOne) {
  const store::Device d = EncryptingPhone();
  EXPECT_EQ(EncryptedConfigProblem(d),
            "no LSC or MIC yet: its configuration is not served until CAPF has seen a "
            "certificate from the phone");
  EXPECT_FALSE(ConfigEncryptionCertificate(d).ok());
}

TEST(DeviceEncryption, TheLscComesBeforeTheMic) {
  store::Device d = EncryptingPhone();
  d.lsc = EncryptionTestCertificate("rsa:2048", "lsc");
  d.mic = EncryptionTestCertificate("ec:256", "mic");
  EXPECT_EQ(EncryptedConfigProblem(d), "");
  auto chosen = ConfigEncryptionCertificate(d);
  ASSERT_TRUE(chosen.ok()) << chosen.message();
  EXPECT_EQ(chosen->CommonName(), "lsc");

  // An EC LSC is a problem even though the MIC is RSA: the phone decrypts with its LSC's key.
  d.lsc = EncryptionTestCertificate("ec:256", "lsc");
  d.mic = EncryptionTestCertificate("rsa:2048", "mic");
  EXPECT_EQ(EncryptedConfigProblem(d),
            "its LSC is EC: an encrypted configuration needs an RSA key; schedule Install/Upgrade "
            "with key order RSA Only");
}

TEST(DeviceEncryption, WithoutAnLscTheMicIsUsed) {
  store::Device d = EncryptingPhone();
  d.mic = EncryptionTestCertificate("rsa:2048", "mic");
  auto chosen = ConfigEncryptionCertificate(d);
  ASSERT_TRUE(chosen.ok()) << chosen.message();
  EXPECT_EQ(chosen->CommonName(), "mic");
  EXPECT_EQ(EncryptedConfigProblem(d), "");

  d.mic = EncryptionTestCertificate("ec:384", "mic");
  EXPECT_THAT(EncryptedConfigProblem(d),
              HasSubstr("its MIC is EC: an encrypted configuration needs an RSA key"));
}

TEST(DeviceEncryption, AnUnreadableCertificateSaysSoAndWhatToDo) {
  store::Device d = EncryptingPhone();
  d.lsc = store::StoredCertificate{.pem = "not a certificate"};
  EXPECT_THAT(EncryptedConfigProblem(d), HasSubstr("its LSC on record cannot be read ("));
  EXPECT_THAT(EncryptedConfigProblem(d),
              HasSubstr("schedule Install/Upgrade with key order RSA Only to give it an RSA LSC"));
}

TEST(DeviceEncryption, TheSettingItselfIsNotConsulted) {
  store::Device d = EncryptingPhone();
  d.encrypted_config = false;
  EXPECT_THAT(EncryptedConfigProblem(d), HasSubstr("no LSC or MIC yet"));
}

}  // namespace
}  // namespace opencapf::service
