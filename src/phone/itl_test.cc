// The phone's ITL rules over files built with tlv::Build: first ITL trusted, a new one only when
// its signer is a SAST token of the installed one, corrupt and badly signed files refused.
#include "phone/itl.h"

#include <gtest/gtest.h>

#include "pki/digest.h"
#include "pki/issuer.h"
#include "tlv/build.h"

namespace opencapf::phone {
namespace {

pki::KeyAndCertificate Make(const std::string& cn) {
  pki::CertificateProfile p;
  p.subject = {{"CN", cn}, {"O", "test"}};
  auto made = pki::SelfSigned({pki::KeyAlgorithm::kRsa, 2048}, p);
  if (!made.ok()) throw std::runtime_error(made.message());
  return *made;
}

tlv::RecordSpec Rec(tlv::Role role, const pki::Certificate& cert, bool hash_only = false) {
  return tlv::RecordSpec{role, cert, hash_only, std::nullopt};
}

struct Fixture : ::testing::Test {
  pki::KeyAndCertificate recovery = Make("ITLRecovery_pub");
  pki::KeyAndCertificate other = Make("ITLRecovery_elsewhere");
  pki::KeyAndCertificate capf = Make("CAPF-00000001");
  pki::KeyAndCertificate ccm = Make("pub");

  Bytes Itl(const pki::KeyAndCertificate& signer, std::vector<tlv::RecordSpec> records,
            std::uint32_t timestamp = 1700000000) {
    tlv::BuildOptions o;
    o.timestamp = timestamp;
    auto built = tlv::Build(signer.certificate, signer.key, records, o);
    if (!built.ok()) throw std::runtime_error(built.message());
    return *built;
  }
};

TEST_F(Fixture, AVerifiedItlNamesItsSignerAndCapfRecord) {
  const Bytes file = Itl(recovery, {Rec(tlv::Role::kCcmTftp, ccm.certificate),
                                    Rec(tlv::Role::kCapf, capf.certificate, true)});
  ItlReading r = ReadItl(file);
  ASSERT_TRUE(r.itl) << r.reason;
  EXPECT_EQ(r.itl->signer_record().subject, recovery.certificate.Subject());
  auto capf_records = RecordsWithRole(r.itl->list, tlv::Role::kCapf);
  ASSERT_EQ(capf_records.size(), 1u);
  EXPECT_TRUE(RecordMatches(*capf_records[0], capf.certificate)) << "by SHA-1 hash";
  EXPECT_FALSE(RecordMatches(*capf_records[0], ccm.certificate));
  auto ccm_records = RecordsWithRole(r.itl->list, tlv::Role::kCcmTftp);
  EXPECT_TRUE(RecordMatches(*ccm_records[0], ccm.certificate)) << "by whole certificate";
  EXPECT_NE(RecordHashText(*capf_records[0]).find("SHA-1 "), std::string::npos);
}

TEST_F(Fixture, CorruptAndBadlySignedFilesAreRefused) {
  Bytes file = Itl(recovery, {Rec(tlv::Role::kCapf, capf.certificate)});
  Bytes truncated(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(file.size() / 2));
  EXPECT_EQ(ReadItl(truncated).problem, ItlProblem::kMalformed);
  Bytes flipped = file;
  flipped[flipped.size() - 10] ^= 0x55;  // inside the last record's certificate
  ItlReading r = ReadItl(flipped);
  EXPECT_NE(r.problem, ItlProblem::kNone);
  EXPECT_FALSE(r.itl.has_value());
  EXPECT_FALSE(r.reason.empty());
}

TEST_F(Fixture, ANewItlIsTakenOnlyFromATrustedSigner) {
  const auto old_itl = ReadItl(Itl(recovery, {Rec(tlv::Role::kCapf, capf.certificate)}));
  ASSERT_TRUE(old_itl.itl);
  // Same signer, new content (a regenerated CAPF certificate): accepted.
  const auto capf2 = Make("CAPF-00000002");
  const auto same_signer =
      ReadItl(Itl(recovery, {Rec(tlv::Role::kCapf, capf2.certificate)}, 1700000100));
  ASSERT_TRUE(same_signer.itl);
  EXPECT_TRUE(SignerTrusted(*same_signer.itl, *old_itl.itl).ok());
  // Another signer that the installed ITL does not list: refused, naming both.
  const auto foreign = ReadItl(Itl(other, {Rec(tlv::Role::kCapf, capf2.certificate)}));
  ASSERT_TRUE(foreign.itl);
  Status refused = SignerTrusted(*foreign.itl, *old_itl.itl);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("ITLRecovery_elsewhere"), std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("ITLRecovery_pub"), std::string::npos) << refused.message();
  // A new signer that the installed ITL already lists as a SAST token: accepted (rollover).
  const auto prepared = ReadItl(Itl(recovery, {Rec(tlv::Role::kSast, other.certificate),
                                               Rec(tlv::Role::kCapf, capf.certificate)}));
  ASSERT_TRUE(prepared.itl);
  EXPECT_TRUE(SignerTrusted(*foreign.itl, *prepared.itl).ok());
}

}  // namespace
}  // namespace opencapf::phone
