#include "pki/private_key.h"

#include <gtest/gtest.h>

#include "pki/issuer.h"

namespace opencapf::pki {
namespace {

CertificateProfile Profile(const std::string& cn) {
  CertificateProfile p;
  p.subject = {{"CN", cn}, {"O", "opencapf test"}};
  return p;
}

TEST(KeySpec, ParsesWhatIsSupportedAndSaysWhatIsNot) {
  EXPECT_EQ(KeySpec::Parse("rsa:4096")->bits, 4096);
  EXPECT_EQ(KeySpec::Parse("ec:384")->algorithm, KeyAlgorithm::kEc);
  EXPECT_EQ(KeySpec::Parse("rsa")->bits, 2048);
  auto bad = KeySpec::Parse("rsa:1000");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("accepted: rsa:1024"), std::string::npos);
  EXPECT_FALSE(KeySpec::Parse("dsa:1024").ok());
  EXPECT_FALSE(KeySpec::Parse("ec:abc").ok());
}

TEST(PrivateKey, SignsAndVerifiesWithEveryDigest) {
  for (const char* spec : {"rsa:1024", "ec:256"}) {
    auto pair = SelfSigned(*KeySpec::Parse(spec), Profile(spec));
    ASSERT_TRUE(pair.ok()) << pair.message();
    Bytes data = {1, 2, 3, 4};
    for (Digest d : {Digest::kSha1, Digest::kSha256, Digest::kSha512}) {
      auto sig = pair->key.Sign(d, data);
      ASSERT_TRUE(sig.ok()) << sig.message();
      EXPECT_TRUE(VerifySignature(pair->certificate.public_key(), d, data, *sig).ok());
      Bytes other = {1, 2, 3, 5};
      EXPECT_FALSE(VerifySignature(pair->certificate.public_key(), d, other, *sig).ok());
    }
    EXPECT_TRUE(pair->key.Matches(pair->certificate));
  }
}

TEST(PrivateKey, PemRoundTripAndMismatch) {
  auto a = SelfSigned(KeySpec{KeyAlgorithm::kRsa, 1024}, Profile("a"));
  auto b = SelfSigned(KeySpec{KeyAlgorithm::kRsa, 1024}, Profile("b"));
  ASSERT_TRUE(a.ok() && b.ok());
  auto again = PrivateKey::FromPem(a->certificate.ToPem() + a->key.ToPem());
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_TRUE(again->Matches(a->certificate));
  EXPECT_FALSE(again->Matches(b->certificate));
  auto none = PrivateKey::FromPem(a->certificate.ToPem());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.message().find("no private key"), std::string::npos);
}

TEST(Issuer, CaProfileAndChain) {
  CertificateProfile ca = Profile("CAPF-00000001");
  ca.ca = true;
  ca.path_length = 0;
  ca.key_usage = {"digitalSignature", "keyCertSign"};
  auto root = SelfSigned(KeySpec{KeyAlgorithm::kRsa, 2048}, ca);
  ASSERT_TRUE(root.ok()) << root.message();
  EXPECT_TRUE(root->certificate.IsCa());
  EXPECT_EQ(root->certificate.SerialBytes().size(), 16u);

  auto leaf_key = PrivateKey::Generate(KeySpec{KeyAlgorithm::kEc, 256});
  ASSERT_TRUE(leaf_key.ok());
  CertificateProfile leaf = Profile("SEP001122334455");
  leaf.extended_key_usage = {"clientAuth"};
  auto cert = IssueCertificate(leaf, leaf_key->get(), root->key, &root->certificate);
  ASSERT_TRUE(cert.ok()) << cert.message();
  EXPECT_EQ(cert->Issuer(), root->certificate.Subject());
  EXPECT_FALSE(cert->IsCa());
  EXPECT_EQ(X509_verify(cert->get(), root->certificate.public_key()), 1);
}

TEST(Issuer, ParsesSubjects) {
  auto s = ParseSubject("CN=pub1,OU=Lab;O=Example\\, Inc");
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[2].second, "Example, Inc");
  EXPECT_FALSE(ParseSubject("pub1").ok());
  EXPECT_FALSE(ParseSubject("").ok());
}

}  // namespace
}  // namespace opencapf::pki
