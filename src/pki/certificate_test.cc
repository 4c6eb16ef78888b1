#include "pki/certificate.h"

#include <gtest/gtest.h>

#include <string>

namespace opencapf::pki {
namespace {

std::string Vector(const std::string& name) { return std::string(OPENCAPF_TESTDATA) + "/" + name; }

TEST(Certificate, ReadsTheFieldsTrustListsCarry) {
  auto cert = Certificate::Load(Vector("itl/capf.crt"));
  ASSERT_TRUE(cert.ok()) << cert.message();
  EXPECT_EQ(cert->Subject(), "CN=CAPF-1a2b3c4d,OU=Lab,O=Example Telecom,L=Boxborough,ST=MA,C=US");
  EXPECT_EQ(cert->Issuer(), cert->Subject());
  EXPECT_EQ(cert->CommonName(), "CAPF-1a2b3c4d");
  EXPECT_EQ(HexLower(cert->SerialBytes()), "50313e7fb8819ac0f47122e745e9c6cce3e04f27");
  EXPECT_EQ(HexLower(cert->Fingerprint(Digest::kSha1)), "2845d4bc6cc1956f81085c3b251395cd4840b003");
  EXPECT_EQ(cert->key_algorithm(), KeyAlgorithm::kRsa);
  EXPECT_EQ(cert->key_bits(), 2048);
  EXPECT_EQ(cert->PublicKeyBytes().size(), 270u);
  EXPECT_EQ(cert->SignatureBytes().size(), 256u);
  EXPECT_EQ(cert->der().size(), 963u);
  EXPECT_TRUE(cert->IsCa());
  EXPECT_TRUE(cert->SelfSigned());
  EXPECT_LT(cert->not_before(), cert->not_after());
}

TEST(Certificate, EcKeyIsAnUncompressedPoint) {
  auto cert = Certificate::Load(Vector("itl/tftpec.crt"));
  ASSERT_TRUE(cert.ok()) << cert.message();
  EXPECT_EQ(cert->key_algorithm(), KeyAlgorithm::kEc);
  auto point = cert->PublicKeyBytes();
  ASSERT_EQ(point.size(), 65u);
  EXPECT_EQ(point[0], 0x04);
  EXPECT_EQ(cert->SignatureBytes().size(), 70u);
}

TEST(Certificate, DerAndPemRoundTrip) {
  auto cert = Certificate::Load(Vector("itl/ccm.crt"));
  ASSERT_TRUE(cert.ok());
  auto from_der = Certificate::FromDer(cert->der());
  ASSERT_TRUE(from_der.ok());
  EXPECT_EQ(*from_der, *cert);
  auto from_pem = Certificate::AllFromPem(cert->ToPem());
  ASSERT_TRUE(from_pem.ok());
  EXPECT_EQ(from_pem->front(), *cert);
}

TEST(Certificate, RefusesWhatIsNotACertificate) {
  Bytes junk = {0x30, 0x03, 0x02, 0x01, 0x01};
  auto bad = Certificate::FromDer(junk);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("not a DER X.509 certificate"), std::string::npos);
  EXPECT_FALSE(Certificate::AllFromPem("hello").ok());
  auto trailing = Certificate::Load(Vector("itl/ccm.crt"));
  ASSERT_TRUE(trailing.ok());
  Bytes der = trailing->der();
  der.push_back(0);
  EXPECT_FALSE(Certificate::FromDer(der).ok());
}

}  // namespace
}  // namespace opencapf::pki
