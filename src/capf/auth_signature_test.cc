#include "capf/auth_signature.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include "pki/issuer.h"

namespace opencapf::capf {
namespace {

using ::testing::HasSubstr;

pki::KeyAndCertificate Make(const char* spec, const std::string& cn) {
  pki::CertificateProfile profile;
  profile.subject = {{"CN", cn}, {"O", "opencapf test"}};
  auto pair = pki::SelfSigned(pki::KeySpec::Parse(spec).value(), profile);
  EXPECT_TRUE(pair.ok()) << pair.message();
  return std::move(pair).value();
}

// Keys are slow to make under the sanitizers: one of each, shared by the tests.
const pki::KeyAndCertificate& Rsa() {
  static const pki::KeyAndCertificate pair = Make("rsa:2048", "SEP001122334455");
  return pair;
}
const pki::KeyAndCertificate& OtherRsa() {
  static const pki::KeyAndCertificate pair = Make("rsa:1024", "SEP001122334455");
  return pair;
}
const pki::KeyAndCertificate& Ec() {
  static const pki::KeyAndCertificate pair = Make("ec:384", "SEP0011223344EC");
  return pair;
}

// The RSA public-key operation on `signature`, padding removed: what a bare-digest signature
// "contains".
Bytes Recover(EVP_PKEY* key, ByteView signature) {
  pki::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  EXPECT_EQ(EVP_PKEY_verify_recover_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING), 1);
  std::size_t length = 0;
  EXPECT_EQ(
      EVP_PKEY_verify_recover(ctx.get(), nullptr, &length, signature.data(), signature.size()), 1);
  Bytes out(length);
  EXPECT_EQ(
      EVP_PKEY_verify_recover(ctx.get(), out.data(), &length, signature.data(), signature.size()),
      1);
  out.resize(length);
  return out;
}

TEST(AuthSignature, SignedDataLayouts) {
  EXPECT_EQ(AuthSignedData("SEP1", Bytes{0x30, 0x82}), (Bytes{'S', 'E', 'P', '1', 0, 0x30, 0x82}));
  EXPECT_EQ(SudiSignedData(0x01020304, Bytes{0x30}), (Bytes{0x04, 0x03, 0x02, 0x01, 0x30}));
  EXPECT_EQ(SudiSignedData(1, Bytes{}), (Bytes{1, 0, 0, 0}));
}

TEST(AuthSignature, RsaSignsTheBareDigestWithoutDigestInfo) {
  Bytes data = AuthSignedData("SEP001122334455", Rsa().certificate.der());
  for (pki::Digest d : {pki::Digest::kSha1, pki::Digest::kSha512}) {
    auto bare = SignBareDigest(Rsa().key, d, data);
    ASSERT_TRUE(bare.ok()) << bare.message();
    EXPECT_EQ(bare->size(), 256u);
    // The padded block holds exactly the digest: 20 or 64 bytes, no DigestInfo.
    EXPECT_EQ(Recover(Rsa().certificate.public_key(), *bare), pki::Hash(d, data));
    EXPECT_TRUE(VerifyBareDigest(Rsa().certificate.public_key(), d, data, *bare).ok());

    // A standard verify (DigestInfo) refuses the bare signature...
    EXPECT_FALSE(pki::VerifySignature(Rsa().certificate.public_key(), d, data, *bare).ok());
    // ...and a standard signature is refused by the bare-digest verify.
    auto standard = Rsa().key.Sign(d, data);
    ASSERT_TRUE(standard.ok());
    auto refused = VerifyBareDigest(Rsa().certificate.public_key(), d, data, *standard);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.message(), HasSubstr("over the bare digest, no DigestInfo"));
  }
}

TEST(AuthSignature, RsaBareSignatureFailsOnOtherDataDigestOrKey) {
  Bytes data = {1, 2, 3};
  Bytes sig = SignBareDigest(Rsa().key, pki::Digest::kSha1, data).value();
  EXPECT_FALSE(
      VerifyBareDigest(Rsa().certificate.public_key(), pki::Digest::kSha1, Bytes{1, 2, 4}, sig)
          .ok());
  EXPECT_FALSE(
      VerifyBareDigest(Rsa().certificate.public_key(), pki::Digest::kSha512, data, sig).ok());
  EXPECT_FALSE(
      VerifyBareDigest(OtherRsa().certificate.public_key(), pki::Digest::kSha1, data, sig).ok());
  Bytes flipped = sig;
  flipped[100] ^= 1;
  EXPECT_FALSE(
      VerifyBareDigest(Rsa().certificate.public_key(), pki::Digest::kSha1, data, flipped).ok());
  EXPECT_FALSE(VerifyBareDigest(Rsa().certificate.public_key(), pki::Digest::kSha1, data,
                                ByteView(sig).first(10))
                   .ok());
  EXPECT_FALSE(
      VerifyBareDigest(Rsa().certificate.public_key(), pki::Digest::kSha1, data, Bytes{}).ok());
}

TEST(AuthSignature, EcIsEcdsaOverTheDigest) {
  Bytes data = AuthSignedData("SEP0011223344EC", Ec().certificate.der());
  for (pki::Digest d : {pki::Digest::kSha1, pki::Digest::kSha512}) {
    auto sig = SignBareDigest(Ec().key, d, data);
    ASSERT_TRUE(sig.ok()) << sig.message();
    EXPECT_EQ((*sig)[0], 0x30);  // DER SEQUENCE
    EXPECT_TRUE(VerifyBareDigest(Ec().certificate.public_key(), d, data, *sig).ok());
    // For EC the bare-digest signature is an ordinary ECDSA signature, both ways.
    EXPECT_TRUE(pki::VerifySignature(Ec().certificate.public_key(), d, data, *sig).ok());
    auto standard = Ec().key.Sign(d, data);
    ASSERT_TRUE(standard.ok());
    EXPECT_TRUE(VerifyBareDigest(Ec().certificate.public_key(), d, data, *standard).ok());
    Bytes other = data;
    other.back() ^= 1;
    EXPECT_FALSE(VerifyBareDigest(Ec().certificate.public_key(), d, other, *sig).ok());
  }
}

TEST(AuthSignature, OtherKeyTypesAreRefusedByName) {
  pki::EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_TRUE(ed);
  auto st = VerifyBareDigest(ed.get(), pki::Digest::kSha1, Bytes{1}, Bytes{1});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "a ED25519 key cannot make CAPF signatures (RSA or EC only)");
  EXPECT_FALSE(VerifyBareDigest(nullptr, pki::Digest::kSha1, Bytes{1}, Bytes{1}).ok());
}

TEST(AuthSignature, AuthResponseSignedByThePhoneVerifiesAtTheServer) {
  for (const pki::KeyAndCertificate* phone : {&Rsa(), &Ec()}) {
    AuthResponse response;
    response.device_name = phone->certificate.CommonName();
    ASSERT_TRUE(
        SignAuthResponse(response, phone->key, {CertType::kLsc, phone->certificate.der()}).ok());
    ASSERT_TRUE(response.signed_data && response.sha2_signed_data);
    EXPECT_EQ(response.sha2_signed_data->hash_algorithm, kHashSha512);

    // Through the wire and back, as the server sees it.
    auto bytes = Encode(MakeAuthResponse(12, response).value());
    ASSERT_TRUE(bytes.ok()) << bytes.message();
    auto parsed = ParseAuthResponse(Message::Decode(*bytes).value());
    ASSERT_TRUE(parsed.ok()) << parsed.message();
    auto cert = pki::Certificate::FromDer(parsed->certificate->der);
    ASSERT_TRUE(cert.ok());
    auto st = VerifyAuthResponseSignatures(*parsed, cert->public_key());
    EXPECT_TRUE(st.ok()) << st.message();

    // Another device name with the same signatures does not pass.
    AuthResponse renamed = *parsed;
    renamed.device_name = "SEP999999999999";
    auto bad = VerifyAuthResponseSignatures(renamed, cert->public_key());
    ASSERT_FALSE(bad.ok());
    EXPECT_THAT(bad.message(), HasSubstr("AUTH_RESPONSE from SEP999999999999: SIGNED_DATA (SHA1)"));

    // Only SHA2_SIGNED_DATA is enough; a broken one is not.
    AuthResponse sha2_only = *parsed;
    sha2_only.signed_data.reset();
    EXPECT_TRUE(VerifyAuthResponseSignatures(sha2_only, cert->public_key()).ok());
    sha2_only.sha2_signed_data->signature[5] ^= 0x40;
    auto broken = VerifyAuthResponseSignatures(sha2_only, cert->public_key());
    ASSERT_FALSE(broken.ok());
    EXPECT_THAT(broken.message(), HasSubstr("SHA2_SIGNED_DATA (SHA512)"));
  }
}

TEST(AuthSignature, AuthResponseVerificationRefusesWhatProvesNothing) {
  AuthResponse response;
  response.device_name = "SEP001122334455";
  EXPECT_THAT(VerifyAuthResponseSignatures(response, Rsa().certificate.public_key()).message(),
              HasSubstr("no CERTIFICATE"));
  response.certificate = WrappedCertificate{CertType::kLsc, Rsa().certificate.der()};
  EXPECT_THAT(VerifyAuthResponseSignatures(response, Rsa().certificate.public_key()).message(),
              HasSubstr("without SIGNED_DATA or SHA2_SIGNED_DATA"));
  ASSERT_TRUE(SignAuthResponse(response, Rsa().key, *response.certificate).ok());
  EXPECT_FALSE(VerifyAuthResponseSignatures(response, OtherRsa().certificate.public_key()).ok());
  response.sha2_signed_data->hash_algorithm = 9;
  EXPECT_THAT(VerifyAuthResponseSignatures(response, Rsa().certificate.public_key()).message(),
              HasSubstr("hash algorithm 9 is unknown"));
}

TEST(AuthSignature, SudiSignaturesAreBoundToTheSession) {
  const pki::KeyAndCertificate& sudi = OtherRsa();
  auto data = SignSudi(0x01020304, sudi.key, sudi.certificate.der());
  ASSERT_TRUE(data.ok()) << data.message();
  EXPECT_EQ(data->certificate, sudi.certificate.der());
  EXPECT_EQ(Recover(sudi.certificate.public_key(), data->sha1_signature),
            pki::Hash(pki::Digest::kSha1, SudiSignedData(0x01020304, sudi.certificate.der())));
  auto wire = DecodeSudiData(EncodeSudiData(*data).value());
  ASSERT_TRUE(wire.ok()) << wire.message();
  EXPECT_TRUE(VerifySudiSignatures(0x01020304, *wire).ok());
  auto other_session = VerifySudiSignatures(0x04030201, *wire);  // big-endian would match this
  ASSERT_FALSE(other_session.ok());
  EXPECT_THAT(other_session.message(), HasSubstr("SUDI_DATA signature for session 67305985"));

  SudiData swapped = *wire;
  std::swap(swapped.sha1_signature, swapped.sha512_signature);
  EXPECT_FALSE(VerifySudiSignatures(0x01020304, swapped).ok());
  SudiData junk = *wire;
  junk.certificate = {0x30, 0x00};
  EXPECT_THAT(VerifySudiSignatures(0x01020304, junk).message(),
              HasSubstr("SUDI_DATA: SUDI certificate"));
  SudiData one = *wire;
  one.sha512_signature.clear();
  EXPECT_THAT(VerifySudiSignatures(0x01020304, one).message(), HasSubstr("a signature is missing"));

  auto ec = SignSudi(7, Ec().key, Ec().certificate.der());
  ASSERT_TRUE(ec.ok());
  EXPECT_TRUE(VerifySudiSignatures(7, *ec).ok());
}

}  // namespace
}  // namespace opencapf::capf
