#include "tlv/diff.h"

#include <gtest/gtest.h>

#include "pki/issuer.h"
#include "tlv/build.h"
#include "tlv/test_util.h"

namespace opencapf::tlv {
namespace {

using testing::Vector;
using testing::VectorCert;

TEST(Diff, IdenticalFilesHaveNoDifferences) {
  auto a = Parse(Vector("itl/ITLFile-sha1.tlv"));
  ASSERT_TRUE(a.ok());
  auto changes = Diff(*a, *a);
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(RenderDiff(changes), "No differences: same signer and the same records.\n");
}

TEST(Diff, ReportsDigestAddedRemovedAndChanged) {
  auto a = Parse(Vector("itl/ITLFile-sha1.tlv"));
  auto b = Parse(Vector("itl/ITLFile-sha512.tlv"));
  ASSERT_TRUE(a.ok() && b.ok());
  // Same records; header differs in digest and filename.
  auto header_only = Diff(*a, *b);
  ASSERT_EQ(header_only.size(), 2u);
  EXPECT_EQ(header_only[0].subject, "digest");
  EXPECT_EQ(header_only[0].after, "SHA512");

  // A regenerated CAPF certificate (same subject, other certificate), TVS removed, one added.
  TrustList c = *a;
  pki::CertificateProfile profile;
  profile.subject = {{"CN", "CAPF-1a2b3c4d"}, {"OU", "Lab"}, {"O", "Example Telecom"},
                     {"L", "Boxborough"},     {"ST", "MA"},  {"C", "US"}};
  auto regenerated = pki::SelfSigned({pki::KeyAlgorithm::kRsa, 1024}, profile);
  ASSERT_TRUE(regenerated.ok());
  c.records[2] = MakeRecord({Role::kCapf, regenerated->certificate, false, std::nullopt});
  c.records.erase(c.records.begin() + 3);
  c.records.push_back(
      MakeRecord({Role::kAppServer, VectorCert("itl/tvs.crt"), false, std::nullopt}));
  auto changes = Diff(*a, c);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].kind, Change::Kind::kChanged);
  EXPECT_EQ(changes[0].role, "CAPF");
  EXPECT_EQ(changes[0].before, "2845d4bc6cc1956f81085c3b251395cd4840b003");
  EXPECT_EQ(changes[1].kind, Change::Kind::kRemoved);
  EXPECT_EQ(changes[1].role, "TVS");
  EXPECT_EQ(changes[2].kind, Change::Kind::kAdded);
  EXPECT_EQ(changes[2].role, "APP-SERVER");
  std::string text = RenderDiff(changes);
  EXPECT_NE(text.find("1 added, 1 removed, 1 changed"), std::string::npos) << text;
  EXPECT_EQ(DiffJson(changes).size(), 3u);
}

TEST(Diff, NoticesASwitchToHashOnly) {
  auto a = Parse(Vector("itl/ITLFile-sha1.tlv"));
  TrustList b = *a;
  b.records[2] = MakeRecord({Role::kCapf, VectorCert("itl/capf.crt"), true, std::nullopt});
  auto changes = Diff(*a, b);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].detail, "now listed by hash only");
}

}  // namespace
}  // namespace opencapf::tlv
