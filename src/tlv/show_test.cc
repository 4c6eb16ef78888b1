#include "tlv/show.h"

#include <gtest/gtest.h>

#include <sstream>

#include "pki/issuer.h"
#include "tlv/build.h"
#include "tlv/test_util.h"

namespace opencapf::tlv {
namespace {

using testing::Vector;
using testing::VectorCert;

std::string Golden(const std::string& name) {
  auto bytes = ReadFile(std::string(OPENCAPF_SOURCE_DIR) + "/tests/golden/" + name);
  if (!bytes.ok()) throw std::runtime_error(bytes.message());
  return std::string(bytes->begin(), bytes->end());
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string Show(const Bytes& file) {
  auto list = Parse(file);
  if (!list.ok()) throw std::runtime_error(list.message());
  return RenderShowItl(file, *list, Verify(file, *list));
}

TEST(ShowItl, MatchesTheGoldenFiles) {
  for (const char* name : {"ITLFile-sha1", "ITLFile-sha512"}) {
    EXPECT_EQ(Show(Vector(std::string("itl/") + name + ".tlv")),
              Golden(std::string(name) + ".show.txt"))
        << name << ": regenerate tests/golden/ only if the change is intended";
  }
}

// The shape administrators know from CUCM (shared/testdata/show-itl-example.txt).
TEST(ShowItl, HasTheShapeOfCucmOutput) {
  auto lines = Lines(Show(Vector("itl/ITLFile-sha1.tlv")));
  int blocks = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("ITL Record #:", 0) == 0) {
      ++blocks;
      EXPECT_EQ(lines[i], "ITL Record #:" + std::to_string(blocks));
      EXPECT_EQ(lines[i + 1], "----");
      EXPECT_EQ(lines[i + 2], "BYTEPOS TAG LENGTH VALUE");
      EXPECT_EQ(lines[i + 3], "------- --- ------ -----");
      EXPECT_EQ(lines[i + 4].rfind("1 RECORDLENGTH 2 ", 0), 0u);
    }
  }
  EXPECT_EQ(blocks, 5);
  auto has = [&](const std::string& want) {
    return std::find(lines.begin(), lines.end(), want) != lines.end();
  };
  EXPECT_TRUE(has("4 FUNCTION 2 System Administrator Security Token"));
  EXPECT_TRUE(has("4 FUNCTION 2 CCM+TFTP"));
  EXPECT_TRUE(has("4 FUNCTION 2 CAPF"));
  EXPECT_TRUE(has("6 SERIALNUMBER 20 50:31:3E:7F:B8:81:9A:C0:F4:71:22:E7:45:E9:C6:CC:E3:E0:4F:27"));
  EXPECT_TRUE(
      has("9 CERTIFICATE 963 28 45 D4 BC 6C C1 95 6F 81 08 5C 3B 25 13 95 CD 48 40 B0 03 "
          "(SHA1 Hash HEX)"));
  EXPECT_TRUE(has("This etoken was used to sign the ITL file."));
  EXPECT_EQ(lines.back(), "The ITL file was verified successfully.");
}

TEST(ShowItl, CucmStyleHashRecordsAndUnusedEtoken) {
  pki::CertificateProfile profile;
  profile.subject = {{"CN", "ITLRECOVERY_show"}};
  auto signer = pki::SelfSigned({pki::KeyAlgorithm::kRsa, 2048}, profile);
  ASSERT_TRUE(signer.ok());
  pki::Certificate capf = VectorCert("itl/capf.crt");
  std::vector<RecordSpec> specs = {{Role::kCapf, capf, true, std::nullopt},
                                   {Role::kSast, VectorCert("itl/sast.crt"), false, std::nullopt}};
  auto file = Build(signer->certificate, signer->key, specs, {});
  ASSERT_TRUE(file.ok());
  std::string text = Show(*file);
  EXPECT_NE(text.find("11 CERTHASH 20 " + HexUpper(capf.Fingerprint(pki::Digest::kSha1), " ")),
            std::string::npos);
  EXPECT_NE(text.find("12 HASH ALGORITHM 1 null"), std::string::npos);
  EXPECT_NE(text.find("This etoken was not used to sign the ITL file."), std::string::npos);
  EXPECT_NE(text.find("This etoken was used to sign the ITL file."), std::string::npos);
}

TEST(ShowItl, SaysWhyWhenNotVerified) {
  Bytes file = Vector("itl/ITLFile-sha1.tlv");
  file[2500] ^= 1;  // inside record 2 (its public key): signed bytes change
  auto lines = Lines(Show(file));
  EXPECT_EQ(lines.back().rfind("The ITL file could not be verified: the SHA1 signature does not "
                               "match the key of CN=ITLRECOVERY_pub1",
                               0),
            0u)
      << lines.back();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "This etoken was used to sign the ITL file."),
            0);
}

TEST(ShowItl, JsonCarriesTheVerdictAndKind) {
  Bytes file = Vector("itl/ITLFile-sha1.tlv");
  auto list = Parse(file);
  auto json = ToJson(file, *list, Verify(file, *list));
  EXPECT_EQ(json["kind"], "ITL");
  EXPECT_EQ(json["verified"], true);
  EXPECT_EQ(json["records"][0]["signed_file"], true);
  EXPECT_EQ(json["records"][4]["key_algorithm"], "EC");
}

}  // namespace
}  // namespace opencapf::tlv
