#include "sgn/signed_file.h"

#include <gtest/gtest.h>

#include "pki/issuer.h"
#include "sgn/show.h"

namespace opencapf::sgn {
namespace {

pki::KeyAndCertificate NewIdentity(pki::KeyAlgorithm algorithm, int bits, const std::string& cn) {
  pki::CertificateProfile profile;
  profile.subject = {{"CN", cn}, {"OU", "Lab"}, {"O", "opencapf"}};
  auto made = pki::SelfSigned({algorithm, bits}, profile);
  if (!made.ok()) throw std::runtime_error(made.message());
  return *made;
}

const pki::KeyAndCertificate& Tftp() {
  static const auto identity = NewIdentity(pki::KeyAlgorithm::kRsa, 2048, "tftp.example");
  return identity;
}

Bytes Content() {
  return BytesOf("<device><loadInformation>sip78xx.14-2</loadInformation></device>");
}

Bytes SignedContent(pki::Digest digest = pki::Digest::kSha1) {
  auto signed_file = Sign(Tftp().certificate, Tftp().key, Content(),
                          {digest, "SEP001122334455.cnf.xml.sgn", 1700000000});
  if (!signed_file.ok()) throw std::runtime_error(signed_file.message());
  return *signed_file;
}

TEST(SignedFile, HeaderIsTheIndependentToolsLayout) {
  const Bytes file = SignedContent();
  auto parsed = Parse(file);
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  const tlv::Header& h = parsed->header;
  EXPECT_EQ(h.version_major, 1);
  EXPECT_EQ(h.version_minor, 0);
  EXPECT_FALSE(h.signer_version.has_value());
  EXPECT_EQ(h.header_length % 4, 0);
  EXPECT_EQ(h.filename, "SEP001122334455.cnf.xml.sgn");
  EXPECT_EQ(h.timestamp, 1700000000u);
  EXPECT_EQ(h.signer_name, Tftp().certificate.Subject());
  EXPECT_EQ(h.serial_number, Tftp().certificate.SerialBytes());
  EXPECT_EQ(h.signature.size(), 256u);
  EXPECT_FALSE(parsed->encrypted());
  EXPECT_TRUE(parsed->warnings.empty());
  // Tag order 1, 2, 3{4,6,5}, 7{8,9{10,11}}, 12, 14, 15, then padding.
  std::vector<int> top;
  for (const auto& e : h.layout) {
    if (e.depth == 0 && e.tag != tlv::kPadding) top.push_back(e.tag);
  }
  EXPECT_EQ(top, (std::vector<int>{1, 2, 3, 7, 12, 14, 15}));
  const ByteView body = Body(file, *parsed);
  EXPECT_EQ(Bytes(body.begin(), body.end()), Content());
}

TEST(SignedFile, VerifiesWithTheSignerAndFailsOnAnyFlippedByte) {
  for (auto digest : {pki::Digest::kSha1, pki::Digest::kSha512}) {
    Bytes file = SignedContent(digest);
    auto parsed = Parse(file);
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(Verify(file, *parsed, Tftp().certificate).valid());
    // One byte of the content, then one of the filename: both are covered.
    for (std::size_t at :
         {file.size() - 5, static_cast<std::size_t>(parsed->header.header_length) - 12}) {
      Bytes changed = file;
      changed[at] ^= 0x01;
      auto reparsed = Parse(changed);
      ASSERT_TRUE(reparsed.ok()) << at
                                 << ": a byte of text, not of a length: " << reparsed.message();
      auto v = Verify(changed, *reparsed, Tftp().certificate);
      EXPECT_EQ(v.verdict, Verification::Verdict::kSignatureInvalid) << at << ": " << v.reason;
    }
  }
}

TEST(SignedFile, AnotherCertificateIsNamedAsTheWrongSigner) {
  const Bytes file = SignedContent();
  auto parsed = Parse(file);
  ASSERT_TRUE(parsed.ok());
  auto other = NewIdentity(pki::KeyAlgorithm::kRsa, 2048, "other");
  auto v = Verify(file, *parsed, other.certificate);
  EXPECT_EQ(v.verdict, Verification::Verdict::kOtherSigner);
  EXPECT_NE(v.reason.find("tftp.example"), std::string::npos) << v.reason;
}

TEST(SignedFile, RefusesSignersPhonesCannotCheck) {
  auto ec = NewIdentity(pki::KeyAlgorithm::kEc, 256, "ec");
  auto built = Sign(ec.certificate, ec.key, Content(), {pki::Digest::kSha1, "x.sgn", {}});
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.message().find("RSA"), std::string::npos);
  auto sha256 =
      Sign(Tftp().certificate, Tftp().key, Content(), {pki::Digest::kSha256, "x.sgn", {}});
  EXPECT_FALSE(sha256.ok());
  auto unnamed = Sign(Tftp().certificate, Tftp().key, Content(), {pki::Digest::kSha1, "", {}});
  EXPECT_FALSE(unnamed.ok());
}

TEST(SignedFile, MalformedInputIsAnErrorAtEveryLength) {
  const Bytes file = SignedContent();
  auto parsed = Parse(file);
  ASSERT_TRUE(parsed.ok());
  // Every cut inside the header is an error, never a crash or a partial success.
  for (std::size_t n = 0; n < parsed->header.header_length; ++n) {
    auto cut = Parse(ByteView(file.data(), n));
    EXPECT_FALSE(cut.ok()) << n;
  }
  EXPECT_FALSE(Parse(BytesOf("<?xml version=\"1.0\"?><device/>")).ok());
}

TEST(SignedFile, ShowPrintsTheHeaderAndTheVerdict) {
  const Bytes file = SignedContent();
  auto parsed = Parse(file);
  ASSERT_TRUE(parsed.ok());
  const std::string text = RenderShow(file, *parsed, Verify(file, *parsed, Tftp().certificate));
  EXPECT_NE(text.find("Version: 1.0"), std::string::npos) << text;
  EXPECT_NE(text.find("FILENAME"), std::string::npos) << text;
  EXPECT_NE(text.find("SEP001122334455.cnf.xml.sgn"), std::string::npos) << text;
  EXPECT_NE(text.find("Signature: signature valid"), std::string::npos) << text;
  const auto json = ToJson(file, *parsed, std::nullopt);
  EXPECT_EQ(json["header"]["filename"], "SEP001122334455.cnf.xml.sgn");
  EXPECT_EQ(json["content_bytes"], Content().size());
  EXPECT_TRUE(json["verified"].is_null());
}

TEST(SignedFile, SignedNames) {
  EXPECT_TRUE(IsSignedName("SEP001122334455.cnf.xml.sgn"));
  EXPECT_TRUE(IsSignedName("a.SGN"));
  EXPECT_FALSE(IsSignedName("sgn"));
  EXPECT_FALSE(IsSignedName("ITLFile.tlv"));
}

}  // namespace
}  // namespace opencapf::sgn
