// Damaged files: every truncation, every length field pointed past the end, every byte flipped.
// The parser must answer with an error or the verifier with "invalid", never crash and never
// read out of bounds (the ASan/UBSan preset runs this too).
#include <gtest/gtest.h>

#include "tlv/show.h"
#include "tlv/test_util.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace opencapf::tlv {
namespace {

using testing::Vector;

// Parses and verifies `file`; true when it is accepted as a valid, signed trust list.
bool Accepted(const Bytes& file) {
  auto list = Parse(file);
  if (!list.ok()) {
    EXPECT_FALSE(list.message().empty());
    return false;
  }
  auto v = Verify(file, *list);
  // Rendering must cope with whatever parsed.
  EXPECT_FALSE(RenderShowItl(file, *list, v).empty());
  return v.valid();
}

class CorruptionTest : public ::testing::TestWithParam<std::string> {
 protected:
  Bytes original_ = Vector("itl/" + GetParam() + ".tlv");
};

TEST_P(CorruptionTest, TruncationAtEveryOffsetIsRefused) {
  ASSERT_TRUE(Accepted(original_));
  for (std::size_t size = 0; size < original_.size(); ++size) {
    Bytes cut(original_.begin(), original_.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_FALSE(Accepted(cut)) << "accepted a file cut to " << size << " bytes";
  }
}

TEST_P(CorruptionTest, EveryLengthFieldPointingPastTheEndIsAnError) {
  auto list = Parse(original_);
  ASSERT_TRUE(list.ok());
  std::vector<ElementLayout> elements = list->header.layout;
  for (const auto& r : list->records)
    elements.insert(elements.end(), r.layout.begin(), r.layout.end());
  std::size_t checked = 0;
  for (const auto& e : elements) {
    if (e.tag == kPadding && e.length == 0 && original_[e.offset] == kPadding) continue;
    Bytes bad = original_;
    bad[e.offset + 1] = 0xff;
    bad[e.offset + 2] = 0xff;
    auto parsed = Parse(bad);
    EXPECT_FALSE(parsed.ok()) << "tag " << int(e.tag) << " at offset " << e.offset;
    if (!parsed.ok()) {
      EXPECT_NE(parsed.message().find("offset"), std::string::npos) << parsed.message();
    }
    ++checked;
  }
  EXPECT_GT(checked, 40u);
}

TEST_P(CorruptionTest, AFlippedByteAnywhereIsNeverAccepted) {
  for (std::size_t i = 0; i < original_.size(); ++i) {
    Bytes bad = original_;
    bad[i] ^= 0x5a;
    EXPECT_FALSE(Accepted(bad)) << "accepted a file with byte " << i << " flipped";
  }
}

INSTANTIATE_TEST_SUITE_P(SharedVectors, CorruptionTest,
                         ::testing::Values("ITLFile-sha1", "ITLFile-sha512"));

TEST(Corruption, WrongSizedFixedFieldsAreStructureErrors) {
  Bytes file = Vector("itl/ITLFile-sha1.tlv");
  auto list = Parse(file);
  ASSERT_TRUE(list.ok());
  list->records[0].unknown.clear();
  // Make record 1's ROLE three bytes long by hand: find it in the layout.
  for (const auto& e : list->records[0].layout) {
    if (e.tag != kRole) continue;
    Bytes bad = file;
    bad[e.offset + 2] = 3;
    auto parsed = Parse(bad);
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.message().find("ROLE"), std::string::npos) << parsed.message();
  }
}

TEST(Corruption, SignerMissingOrWrongModulusSaysSo) {
  Bytes file = Vector("itl/ITLFile-sha1.tlv");
  auto list = Parse(file);
  ASSERT_TRUE(list.ok());
  list->records[0].role = static_cast<std::uint16_t>(Role::kTftp);
  auto v = Verify(file, *list);
  EXPECT_EQ(v.verdict, Verification::Verdict::kNoSigner);
  EXPECT_NE(v.reason.find("no SAST record"), std::string::npos);

  auto fresh = Parse(file);
  fresh->header.signature_modulus = 1;
  auto modulus = Verify(file, *fresh);
  EXPECT_FALSE(modulus.valid());
  EXPECT_NE(modulus.reason.find("SIGNATURE_MODULUS"), std::string::npos);

  auto hash = Parse(file);
  hash->header.hash_algorithm = 9;
  EXPECT_EQ(Verify(file, *hash).verdict, Verification::Verdict::kUnsupported);
}

}  // namespace
}  // namespace opencapf::tlv
