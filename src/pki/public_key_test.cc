// Public keys read without OpenSSL's decoders: the same key as d2i_PUBKEY gives, written into
// a certificate byte for byte, and every malformed or unchecked key refused with why.
#include "pki/public_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pki/issuer.h"
#include "pki/private_key.h"

namespace opencapf::pki {
namespace {

using ::testing::HasSubstr;

Bytes SpkiOf(const PrivateKey& key) {
  int len = i2d_PUBKEY(key.get(), nullptr);
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_PUBKEY(key.get(), &p);
  return der;
}

TEST(PublicKey, ReadsRsaAndEcKeysAsTheDecoderDoes) {
  for (const char* spec : {"rsa:1024", "rsa:2048", "ec:256", "ec:384", "ec:521"}) {
    auto key = PrivateKey::Generate(*KeySpec::Parse(spec));
    ASSERT_TRUE(key.ok());
    const Bytes spki = SpkiOf(*key);
    auto written = SubjectPublicKeyInfoOf(key->get());
    ASSERT_TRUE(written.ok()) << spec << ": " << written.message();
    EXPECT_EQ(*written, spki) << spec << ": not the bytes i2d_PUBKEY writes";
    auto parsed = ParseSubjectPublicKeyInfo(spki);
    ASSERT_TRUE(parsed.ok()) << spec << ": " << parsed.message();
    EXPECT_EQ(parsed->algorithm, key->algorithm()) << spec;
    EXPECT_EQ(parsed->bits, key->bits()) << spec;
    EXPECT_EQ(EVP_PKEY_eq(parsed->key.get(), key->get()), 1) << spec;

    // Written into a certificate from its parts: the same SubjectPublicKeyInfo, which a
    // parser decoding it the usual way reads back as the same key.
    CertificateProfile profile;
    profile.subject = {{"CN", "SEP001122334455"}};
    auto issuer = PrivateKey::Generate({KeyAlgorithm::kEc, 256});
    ASSERT_TRUE(issuer.ok());
    auto cert = IssueCertificate(profile, *parsed, *issuer, nullptr);
    ASSERT_TRUE(cert.ok()) << cert.message();
    EXPECT_EQ(cert->key_bits(), key->bits());
    auto reparsed = Certificate::FromDer(cert->der());
    ASSERT_TRUE(reparsed.ok());
    EXPECT_EQ(reparsed->SubjectPublicKeyInfo(), spki) << spec;
    EXPECT_EQ(EVP_PKEY_eq(reparsed->public_key(), key->get()), 1) << spec;
    EXPECT_EQ(X509_verify(reparsed->get(), issuer->get()), 1) << spec;
  }
}

TEST(PublicKey, RefusesWhatIsNotAKeyItCanCheck) {
  auto ec = PrivateKey::Generate({KeyAlgorithm::kEc, 256});
  ASSERT_TRUE(ec.ok());
  const Bytes good = SpkiOf(*ec);
  auto refused = [](const Bytes& der) {
    auto parsed = ParseSubjectPublicKeyInfo(der);
    EXPECT_FALSE(parsed.ok());
    return parsed.ok() ? std::string() : parsed.message();
  };
  EXPECT_THAT(refused({}), HasSubstr("not a DER SubjectPublicKeyInfo"));
  EXPECT_THAT(refused(Bytes(good.begin(), good.end() - 1)),
              HasSubstr("not a DER SubjectPublicKeyInfo"));
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_THAT(refused(trailing), HasSubstr("trailing bytes"));
  Bytes off_curve = good;
  off_curve.back() ^= 0x01;  // the point's last byte of Y: no longer on P-256
  EXPECT_THAT(refused(off_curve), HasSubstr("EC key does not check out"));

  EVP_PKEY* ed = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ASSERT_NE(ed, nullptr);
  int len = i2d_PUBKEY(ed, nullptr);
  Bytes ed_der(static_cast<std::size_t>(len));
  unsigned char* p = ed_der.data();
  i2d_PUBKEY(ed, &p);
  EVP_PKEY_free(ed);
  EXPECT_THAT(refused(ed_der), HasSubstr("neither RSA nor EC"));

  // An RSA key whose modulus is zero: the structure parses, the key does not.
  const Bytes zero_modulus = {0x30, 0x1a, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                              0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x09, 0x00,
                              0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x03};
  EXPECT_THAT(refused(zero_modulus), HasSubstr("not a positive number"));
}

// What public_key_fuzz found, kept: each was accepted here but is not what a decoder reads back
// from the LSC it would be written into.
TEST(PublicKey, FuzzerFindingsAreRefused) {
  auto from_base64 = [](const std::string& text) {
    Bytes out(text.size());
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    out.resize(static_cast<std::size_t>(n - (text.size() - text.find_last_not_of('=') - 1)));
    return out;
  };
  // The RSAPublicKey SEQUENCE tagged 0x10, without its constructed bit.
  auto primitive_sequence = ParseSubjectPublicKeyInfo(from_base64(
      "MIGfMA0GCSqGSIb3DQEBAQUAA4GNABCBiQKBgQCvc5j/Cr6WRVz4PQ1w0VRPGA4uZEw7p7fAQB3MpUM0DHS94uvsrTlG"
      "yIir1okq1VjSRUkdufEXQ4rXggCiuMudmn8IBS+ahQCOkFXS39WPX2vVjdtax1aGTwaRJN1LvS8UTnyrLZOtIjvkNCgp"
      "/3o1jJeBbSbG9dxissXFlMDpNwIDAQAB"));
  ASSERT_FALSE(primitive_sequence.ok());
  EXPECT_THAT(primitive_sequence.message(), HasSubstr("the RSA key is malformed"));
  // A P-256 point in the hybrid form (07 || X || Y).
  auto hybrid = ParseSubjectPublicKeyInfo(from_base64(
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAHYeOobFbg77EoSdda1jhG/4s1BVnmJCbuTmveF2pWjiQmTW0hQJ8Iuw0j"
      "PdOGdISUwMbezPp5Fu9kDbWvcCGLDQ=="));
  ASSERT_FALSE(hybrid.ok());
  EXPECT_THAT(hybrid.message(), HasSubstr("not in the uncompressed form"));
  // An RSA exponent whose length is in the long form (02 81 02 ...): BER, not DER.
  auto long_length = ParseSubjectPublicKeyInfo(from_base64(
      "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCj3Msv6vl6cxLs7GE/mRXDrnSXnN/qv4nGJeFPIXCmxfeoYifHnwUA"
      "KFpl9hc6hwNSRUUvSKn63VJZUSbvhcCxFgtOAz70FmPLLEReLlT+eBslPfdIn2V6oELavXknldD0x//EG5UZmidZ8Nxp"
      "FRWOZiegSI3J+CUeXYlNPw1SRQKBAiVF"));
  ASSERT_FALSE(long_length.ok());
  EXPECT_THAT(long_length.message(), HasSubstr("not in its one DER encoding"));
}

}  // namespace
}  // namespace opencapf::pki
