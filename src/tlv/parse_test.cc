#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tlv/show.h"
#include "tlv/test_util.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace opencapf::tlv {
namespace {

using testing::Vector;

// Every header field and every record field the independent tool reported must come out the
// same from our parser (and our JSON uses its field names).
class VectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(VectorTest, ParsesToExactlyTheIndependentToolsFacts) {
  const std::string base = "itl/" + GetParam();
  Bytes file = Vector(base + ".tlv");
  Bytes expected_text = Vector(base + ".expected.json");
  auto expected = nlohmann::json::parse(expected_text.begin(), expected_text.end());

  auto list = Parse(file);
  ASSERT_TRUE(list.ok()) << list.message();
  EXPECT_TRUE(list->warnings.empty()) << list->warnings.front();
  auto verification = Verify(file, *list);
  EXPECT_TRUE(verification.valid()) << verification.reason;

  auto ours = ToJson(file, *list, verification);
  for (const auto& [key, value] : expected["header"].items()) {
    EXPECT_EQ(ours["header"][key], value) << "header." << key;
  }
  ASSERT_EQ(ours["records"].size(), expected["records"].size());
  for (std::size_t i = 0; i < expected["records"].size(); ++i) {
    for (const auto& [key, value] : expected["records"][i].items()) {
      EXPECT_EQ(ours["records"][i][key], value) << "record " << i + 1 << "." << key;
    }
  }
}

TEST_P(VectorTest, SerialisesBackToTheSameBytes) {
  Bytes file = Vector("itl/" + GetParam() + ".tlv");
  auto list = Parse(file);
  ASSERT_TRUE(list.ok()) << list.message();
  auto again = Serialize(*list);
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(again->bytes, file);
  EXPECT_EQ(again->signature_element_offset, list->header.signature_element_offset);
}

INSTANTIATE_TEST_SUITE_P(SharedVectors, VectorTest,
                         ::testing::Values("ITLFile-sha1", "ITLFile-sha512"));

TEST(Parse, HeaderFieldsOfTheSha512Vector) {
  Bytes file = Vector("itl/ITLFile-sha512.tlv");
  auto list = Parse(file);
  ASSERT_TRUE(list.ok()) << list.message();
  const Header& h = list->header;
  EXPECT_EQ(h.header_length, 492);
  ASSERT_TRUE(h.signer_version.has_value());
  EXPECT_EQ((*h.signer_version)[1], 1);
  EXPECT_EQ(h.hash_algorithm, 3);
  EXPECT_EQ(h.signature_modulus, 2);
  EXPECT_EQ(h.padding, 1u);
  EXPECT_EQ(h.signature_element_offset, 203u);
  EXPECT_EQ(h.signature_element_size, 259u);
  EXPECT_EQ(*h.timestamp, 0x6b095d0du);
  EXPECT_EQ(list->records[4].offset, 7124u);
}

// Found by tlv_structure_fuzz: an element the header parser does not know inside a container
// (here a HEADER_LENGTH inside SIGNATURE_ALGORITHM_INFO) was written back at the top level,
// where it means something else, and the serialised file no longer parsed.
TEST(Parse, UnknownElementsInAContainerAreWrittenBackInIt) {
  Bytes file = Vector("itl/ITLFile-sha512.tlv");
  auto list = Parse(file);
  ASSERT_TRUE(list.ok());
  list->header.unknown.push_back({kHeaderLength, 0, {0}, kSignatureAlgorithmInfo});
  list->header.unknown.push_back({200, 0, {1, 2}, kSignerInfo});
  auto bytes = Serialize(*list);
  ASSERT_TRUE(bytes.ok()) << bytes.message();
  auto again = Parse(bytes->bytes);
  ASSERT_TRUE(again.ok()) << again.message();
  ASSERT_EQ(again->header.unknown.size(), 2u);
  EXPECT_EQ(again->header.unknown[0].container, kSignerInfo);
  EXPECT_EQ(again->header.unknown[0].tag, 200);
  EXPECT_EQ(again->header.unknown[1].container, kSignatureAlgorithmInfo);
  EXPECT_EQ(again->header.unknown[1].tag, kHeaderLength);
  auto twice = Serialize(*again);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->bytes, bytes->bytes);
}

TEST(Parse, KeepsAndReportsUnknownTags) {
  Bytes file = Vector("itl/ITLFile-sha1.tlv");
  auto list = Parse(file);
  ASSERT_TRUE(list.ok());
  list->records[1].unknown.push_back({42, 0, {0xde, 0xad}});
  auto bytes = Serialize(*list);
  ASSERT_TRUE(bytes.ok());
  auto again = Parse(bytes->bytes);
  ASSERT_TRUE(again.ok()) << again.message();
  ASSERT_EQ(again->records[1].unknown.size(), 1u);
  EXPECT_EQ(again->records[1].unknown[0].tag, 42);
  EXPECT_EQ(again->records[1].unknown[0].value, (Bytes{0xde, 0xad}));
  ASSERT_EQ(again->warnings.size(), 1u);
  EXPECT_NE(again->warnings[0].find("unknown element tag 42"), std::string::npos);
  // The change was made after signing, so the signature must no longer hold.
  EXPECT_FALSE(Verify(bytes->bytes, *again).valid());
}

TEST(Parse, ErrorsNameOffsetAndField) {
  Bytes file = Vector("itl/ITLFile-sha1.tlv");
  // Record 2 starts at 2165; its SUBJECT_NAME length sits at 2171..2172.
  file[2171] = 0x7f;
  auto list = Parse(file);
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.message(),
            "offset 2173: record 2 at offset 2165: SUBJECT_NAME value (length 32569) needs 32569 "
            "bytes but only 1625 are left");
}

TEST(Parse, RefusesFilesThatAreNotTrustLists) {
  EXPECT_NE(Parse(Bytes{}).message().find("empty"), std::string::npos);
  Bytes text = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_NE(Parse(text).message().find("not an ITL/CTL file"), std::string::npos);
  Bytes no_length = {1, 0, 2, 1, 2};
  EXPECT_NE(Parse(no_length).message().find("HEADER_LENGTH"), std::string::npos);
}

TEST(Roles, NamesAndParsing) {
  EXPECT_EQ(RoleName(0), "SAST");
  EXPECT_EQ(RoleDisplayName(0), "System Administrator Security Token");
  EXPECT_EQ(RoleName(21), "TVS");
  EXPECT_EQ(RoleName(99), "role 99");
  EXPECT_EQ(ParseRole("ccm-tftp"), Role::kCcmTftp);
  EXPECT_EQ(ParseRole("CCM+TFTP"), Role::kCcmTftp);
  EXPECT_EQ(ParseRole("app-server"), Role::kAppServer);
  EXPECT_EQ(ParseRole("capf"), Role::kCapf);
  EXPECT_FALSE(ParseRole("phone").has_value());
}

}  // namespace
}  // namespace opencapf::tlv
