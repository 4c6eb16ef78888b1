#include "base/bytes.h"

#include <gtest/gtest.h>

namespace opencapf {
namespace {

TEST(ByteReader, ReadsBigEndianAndStopsAtEnd) {
  Bytes data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader r(data, 100);
  EXPECT_EQ(*r.U8("a"), 0x01);
  EXPECT_EQ(*r.U16("b"), 0x0203);
  EXPECT_EQ(*r.U32("c"), 0x04050607u);
  EXPECT_TRUE(r.empty());
  auto more = r.U8("tag");
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.message(), "offset 107: tag needs 1 bytes but only 0 are left");
}

TEST(ByteReader, TakeRefusesToRunPastEnd) {
  Bytes data = {1, 2, 3};
  ByteReader r(data);
  auto taken = r.Take(4, "value");
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.message().find("value needs 4 bytes but only 3"), std::string::npos);
  EXPECT_EQ(r.remaining(), 3u) << "a failed read must not move the cursor";
}

TEST(ByteReader, NamesAFieldOnlyWhenItIsShort) {
  Bytes data = {0x00, 0x03, 0xaa};
  ByteReader r(data, 10);
  int named = 0;
  auto name_of = [&] {
    ++named;
    return std::string("CERTIFICATE value (length 3)");
  };
  auto length = r.U16(name_of);
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(named, 0) << "a read that fits must not build its field's name";
  auto value = r.Take(*length, name_of);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(named, 1);
  EXPECT_EQ(value.message(),
            "offset 12: CERTIFICATE value (length 3) needs 3 bytes but only 1 are left");
  EXPECT_EQ(*r.U8(name_of), 0xaa);
  EXPECT_FALSE(r.U32(name_of).ok());
  EXPECT_EQ(named, 2);
}

TEST(ByteWriter, WritesBigEndianAndPatches) {
  ByteWriter w;
  w.U8(0x55);
  w.U16(0);
  w.U32(0xdeadbeef);
  w.PatchU16(1, 0x1234);
  EXPECT_EQ(HexLower(w.bytes()), "551234deadbeef");
}

TEST(Hex, RoundTripsAndFormats) {
  Bytes b = {0x64, 0xf2, 0x0a};
  EXPECT_EQ(HexUpper(b, ":"), "64:F2:0A");
  EXPECT_EQ(HexUpper(b, " "), "64 F2 0A");
  EXPECT_EQ(*ParseHex("64:f2:0A"), b);
  EXPECT_EQ(*ParseHex("64f20a"), b);
  EXPECT_FALSE(ParseHex("6").ok());
  EXPECT_FALSE(ParseHex("zz").ok());
}

TEST(Text, StopsAtFirstNul) {
  Bytes b = {'a', 'b', 0, 'c'};
  EXPECT_EQ(TextUntilNul(b), "ab");
  Bytes none = {'x', 'y'};
  EXPECT_EQ(TextUntilNul(none), "xy");
}

}  // namespace
}  // namespace opencapf
