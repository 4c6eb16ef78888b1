#include "capf/elements.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "capf/message.h"

namespace opencapf::capf {
namespace {

using ::testing::HasSubstr;

Bytes Der(std::size_t n) {
  Bytes der(n);
  for (std::size_t i = 0; i < n; ++i) der[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return der;
}

TEST(CertificateWrapper, WritesTheLayoutPhonesExpect) {
  auto value = EncodeCertificate({CertType::kLsc, Bytes{0x30, 0x01, 0xaa}});
  ASSERT_TRUE(value.ok()) << value.message();
  EXPECT_EQ(HexLower(*value),
            "01"
            "0005"
            "00"
            "01"
            "3001aa");
  auto mic = EncodeCertificate({CertType::kMic, Bytes{0x30}});
  EXPECT_EQ(HexLower(*mic), "010003000230");
}

TEST(CertificateWrapper, RoundTrips) {
  for (std::size_t n : {1u, 2u, 979u, 4000u}) {
    WrappedCertificate in{CertType::kMic, Der(n)};
    auto value = EncodeCertificate(in);
    ASSERT_TRUE(value.ok()) << value.message();
    EXPECT_EQ(value->size(), n + 5);
    auto out = DecodeCertificate(*value);
    ASSERT_TRUE(out.ok()) << out.message();
    EXPECT_EQ(*out, in);
  }
}

TEST(CertificateWrapper, RejectsEveryTruncationAndEveryExtraByte) {
  Bytes value = *EncodeCertificate({CertType::kLsc, Der(40)});
  for (std::size_t n = 0; n < value.size(); ++n) {
    auto out = DecodeCertificate(ByteView(value).first(n));
    EXPECT_FALSE(out.ok()) << "accepted " << n << " of " << value.size() << " bytes";
    if (!out.ok()) {
      EXPECT_THAT(out.message(), HasSubstr("CERTIFICATE"));
    }
  }
  Bytes longer = value;
  longer.push_back(0);
  auto extra = DecodeCertificate(longer);
  ASSERT_FALSE(extra.ok());
  EXPECT_THAT(extra.message(), HasSubstr("wrapper length 42 does not match the 43 bytes"));
}

TEST(CertificateWrapper, ExplainsWhatIsWrong) {
  auto tag = DecodeCertificate(Bytes{0x02, 0x00, 0x03, 0x00, 0x01, 0x30});
  ASSERT_FALSE(tag.ok());
  EXPECT_EQ(tag.message(), "CERTIFICATE: wrapper starts with 2, expected 1");
  auto empty = DecodeCertificate(Bytes{0x01, 0x00, 0x02, 0x00, 0x01});
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.message(), HasSubstr("leaves no room for a certificate"));
  auto cut = DecodeCertificate(Bytes{0x01, 0x00});
  ASSERT_FALSE(cut.ok());
  EXPECT_THAT(cut.message(), HasSubstr("wrapper length needs 2 bytes but only 1 are left"));
  EXPECT_FALSE(EncodeCertificate({CertType::kLsc, {}}).ok());
}

TEST(CertificateWrapper, RefusesACertificateTooLargeForOneElement) {
  const std::size_t max = kMaxBody - 5;
  EXPECT_TRUE(EncodeCertificate({CertType::kLsc, Bytes(max, 1)}).ok());
  auto big = EncodeCertificate({CertType::kLsc, Bytes(max + 1, 1)});
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.message(), HasSubstr("at most 65530 fit"));
}

TEST(Sha2SignedData, RoundTripsAndWritesTheLayout) {
  Sha2SignedData in{kHashSha512, Der(256)};
  auto value = EncodeSha2SignedData(in);
  ASSERT_TRUE(value.ok()) << value.message();
  EXPECT_EQ(HexLower(ByteView(*value).first(3)), "030100");
  EXPECT_EQ(*DecodeSha2SignedData(*value), in);
  EXPECT_EQ(DigestForHashAlgorithm(kHashSha512), pki::Digest::kSha512);
  EXPECT_EQ(DigestForHashAlgorithm(kHashSha1), pki::Digest::kSha1);
  EXPECT_EQ(DigestForHashAlgorithm(9), std::nullopt);
}

TEST(Sha2SignedData, RejectsEveryTruncationAndExtraBytes) {
  Bytes value = *EncodeSha2SignedData({kHashSha512, Der(20)});
  for (std::size_t n = 0; n < value.size(); ++n) {
    EXPECT_FALSE(DecodeSha2SignedData(ByteView(value).first(n)).ok()) << n;
  }
  value.push_back(0);
  auto extra = DecodeSha2SignedData(value);
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.message(),
            "SHA2_SIGNED_DATA: signature length 20 does not match the 21 bytes that follow it");
  auto empty = DecodeSha2SignedData(Bytes{3, 0, 0});
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.message(), HasSubstr("empty"));
  EXPECT_FALSE(EncodeSha2SignedData({kHashSha512, {}}).ok());
}

TEST(SudiData, WritesTheLayoutAndRoundTrips) {
  SudiData in{Bytes{0x30, 0x00}, Bytes{0xa1}, Bytes{0xb1, 0xb2}};
  auto value = EncodeSudiData(in);
  ASSERT_TRUE(value.ok()) << value.message();
  EXPECT_EQ(HexLower(*value),
            "0000023000"
            "010001a1"
            "030002b1b2");
  EXPECT_EQ(*DecodeSudiData(*value), in);
  SudiData big{Der(900), Der(256), Der(256)};
  EXPECT_EQ(*DecodeSudiData(*EncodeSudiData(big)), big);
}

TEST(SudiData, TakesSubElementsInAnyOrderAndSkipsUnknownOnes) {
  Bytes value = ParseHex(
                    "030002b1b2"
                    "090003010203"
                    "010001a1"
                    "0000023000")
                    .value();
  auto out = DecodeSudiData(value);
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(out->certificate, (Bytes{0x30, 0x00}));
  EXPECT_EQ(out->sha1_signature, (Bytes{0xa1}));
  EXPECT_EQ(out->sha512_signature, (Bytes{0xb1, 0xb2}));
}

TEST(SudiData, RejectsEveryTruncationAndExtraBytes) {
  Bytes value = *EncodeSudiData({Der(30), Der(16), Der(64)});
  for (std::size_t n = 0; n < value.size(); ++n) {
    EXPECT_FALSE(DecodeSudiData(ByteView(value).first(n)).ok()) << "accepted " << n << " bytes";
  }
  auto cut = DecodeSudiData(ByteView(value).first(10));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.message(),
            "SUDI_DATA: offset 3: sub-element 0 at offset 0: value of length 30 needs 30 bytes "
            "but only 7 are left");
  auto no_sha512 = DecodeSudiData(ByteView(value).first(3 + 30 + 3 + 16));
  ASSERT_FALSE(no_sha512.ok());
  EXPECT_EQ(no_sha512.message(), "SUDI_DATA: no SHA-512 signature (sub-element 3)");
  value.push_back(3);
  auto extra = DecodeSudiData(value);
  ASSERT_FALSE(extra.ok());
  EXPECT_THAT(extra.message(), HasSubstr("length needs 2 bytes but only 0 are left"));
}

TEST(SudiData, RejectsRepeatsEmptiesAndMissingParts) {
  auto twice = DecodeSudiData(ParseHex("00000130"
                                       "00000131")
                                  .value());
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.message(), "SUDI_DATA: sub-element 0 at offset 4 repeats the SUDI certificate");
  auto empty = DecodeSudiData(ParseHex("00000130"
                                       "010000")
                                  .value());
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.message(), HasSubstr("sub-element 1 at offset 4 (SHA-1 signature) is empty"));
  auto no_cert = DecodeSudiData(ParseHex("010001a1"
                                         "030001b1")
                                    .value());
  ASSERT_FALSE(no_cert.ok());
  EXPECT_THAT(no_cert.message(), HasSubstr("no SUDI certificate (sub-element 0)"));
  EXPECT_FALSE(DecodeSudiData(Bytes{}).ok());
  EXPECT_FALSE(EncodeSudiData({}).ok());
  EXPECT_FALSE(EncodeSudiData({Bytes{1}, Bytes{}, Bytes{2}}).ok());
  auto big = EncodeSudiData({Bytes(kMaxBody - 12, 1), Bytes{1}, Bytes{2}});
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.message(), HasSubstr("at most 65532 fit"));
  EXPECT_TRUE(EncodeSudiData({Bytes(kMaxBody - 14, 1), Bytes{1}, Bytes{2}}).ok());
}

TEST(Names, ReasonsAndCurvesReadWell) {
  EXPECT_EQ(ReasonName(Reason::kUnknownDevice), "unknown device (9)");
  EXPECT_EQ(ReasonName(static_cast<Reason>(42)), "reason 42");
  EXPECT_EQ(CurveName(Curve::kSecp384r1), "secp384r1");
  EXPECT_EQ(CurveName(static_cast<Curve>(7)), "curve 7");
}

}  // namespace
}  // namespace opencapf::capf
