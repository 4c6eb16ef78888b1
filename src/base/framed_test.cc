// The framed codec with a protocol of its own (not CAPF, not TVS), so what is a parameter is
// proved to be one: header size, command offset, fixed bytes, names, value descriptions.
#include "base/framed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace opencapf::framed {
namespace {

using ::testing::HasSubstr;

enum class ToyCommand : std::uint8_t { kPing = 1, kPong = 2 };
enum class ToyTag : std::uint8_t { kName = 1, kCount = 3, kSecret = 4 };

constexpr std::string_view kToyCommands[] = {"", "PING", "PONG"};
constexpr std::string_view kToyTags[] = {"", "NAME", "", "COUNT", "SECRET"};
constexpr FixedByte kToyFixed[] = {{1, 7, "flavour"}, {3, 0, "padding"}, {4, 0, "padding"}};

std::optional<std::string> DescribeToy(std::uint8_t tag, ByteView value) {
  if (tag == 1) return DescribeText(value);
  if (tag == 3) return DescribeNumber(value, 2);
  if (tag == 4) return std::string(" (not shown)");
  return std::nullopt;
}

// Header: id 0x42 | flavour 7 | command | 0 | 0 | session u32 | length u16 (11 bytes).
struct Toy : Enums<ToyCommand, ToyTag> {
  static constexpr Protocol kWire{"TOY",     0x42,         11,       2,
                                  kToyFixed, kToyCommands, kToyTags, DescribeToy};
};
using ToyMessage = Message<Toy>;

Bytes Hex(std::string_view text) { return ParseHex(text).value(); }

TEST(Framed, EncodesTheLayoutTheProtocolDescribes) {
  ToyMessage m{ToyCommand::kPong, 0x01020304, {}};
  m.AddText(ToyTag::kName, "ab").AddU16(ToyTag::kCount, 258);
  auto bytes = Encode(m);
  ASSERT_TRUE(bytes.ok()) << bytes.message();
  EXPECT_EQ(HexLower(*bytes),
            "420702000001020304"
            "00"
            "0b"
            "010003616200"
            "0300020102");
}

TEST(Framed, DecodesWhatItEncodesAndKeepsUnknownTags) {
  ToyMessage m{ToyCommand::kPing, 9, {}};
  m.AddU8(ToyTag::kCount, 1);
  m.elements.push_back(Element{200, {1, 2, 3}});
  auto back = ToyMessage::Decode(Encode(m).value());
  ASSERT_TRUE(back.ok()) << back.message();
  EXPECT_EQ(*back, m);
  EXPECT_EQ(Summary(*back), "PING session 9: COUNT (1 bytes), tag 200 (3 bytes)");
}

TEST(Framed, EveryFixedByteIsChecked) {
  auto flavour = Header<Toy>::Decode(Hex("4208010000000000010000"));
  EXPECT_THAT(flavour.message(), HasSubstr("TOY header: flavour at offset 1 is 0x08, not 0x07"));
  auto padding = Header<Toy>::Decode(Hex("4207010001000000010000"));
  EXPECT_THAT(padding.message(), HasSubstr("padding at offset 4 is 0x01"));
  auto command = Header<Toy>::Decode(Hex("4207030000000000010000"));
  EXPECT_THAT(command.message(),
              HasSubstr("command 3 (0x03) at offset 2 is not a TOY command (1 to 2)"));
  auto ok = Header<Toy>::Decode(Hex("42070200000000002a0005ff"));
  ASSERT_TRUE(ok.ok()) << ok.message();
  EXPECT_EQ(*ok, (Header<Toy>{ToyCommand::kPong, 42, 5}));
}

TEST(Framed, AWrongIdSaysWhatTheBytesLookLike) {
  EXPECT_THAT(Header<Toy>::Decode(Hex("55010000000100000000ff")).message(),
              HasSubstr("protocol id 0x55 at offset 0 is not TOY (0x42): it looks like CAPF"));
  EXPECT_THAT(Header<Toy>::Decode(Hex("57010100000000010000ff")).message(),
              HasSubstr("it looks like TVS (0x57): is a TVS client connected to the TOY port?"));
  EXPECT_THAT(Header<Toy>::Decode(Hex("1603010200010000fc0303")).message(),
              HasSubstr("TLS handshake"));
  EXPECT_THAT(Header<Toy>::Decode(Hex("474554202f20485454502f")).message(),
              HasSubstr("read as text (\"GET \")"));
  EXPECT_THAT(Header<Toy>::Decode(Hex("4207")).message(),
              HasSubstr("truncated: 2 bytes, a header is 11"));
}

TEST(Framed, ElementLengthsAreCheckedAgainstTheBody) {
  auto past = DecodeBody(Header<Toy>{ToyCommand::kPing, 1, 5}, Hex("0100100000"));
  EXPECT_THAT(past.message(), HasSubstr("NAME (tag 1) element at offset 11"));
  EXPECT_THAT(past.message(), HasSubstr("value of length 16"));
  auto cut = DecodeBody(Header<Toy>{ToyCommand::kPing, 1, 2}, Hex("0300"));
  EXPECT_THAT(cut.message(), HasSubstr("COUNT (tag 3) element at offset 11: length"));
  EXPECT_THAT(ToyMessage::Decode(Hex("4207010000000000010000"
                                     "00"))
                  .message(),
              HasSubstr("1 bytes follow the message"));
}

TEST(Framed, TypedAccessorsNameWhatIsWrong) {
  ToyMessage m{ToyCommand::kPing, 1, {}};
  m.AddU8(ToyTag::kCount, 1).AddU32(ToyTag::kSecret, 7);
  EXPECT_EQ(m.U16(ToyTag::kCount).message(), "PING: COUNT (tag 3) has length 1, expected 2");
  EXPECT_EQ(m.Value(ToyTag::kName).message(), "PING: no NAME (tag 1) element");
  EXPECT_EQ(*m.U32(ToyTag::kSecret), 7u);
  EXPECT_THAT(Summary(m), HasSubstr("SECRET (not shown)"));
}

TEST(Framed, BodiesPastTheU16FieldAreRefused) {
  ToyMessage m{ToyCommand::kPing, 1, {}};
  m.Add(ToyTag::kName, Bytes(kMaxBody - 3, 'x'));
  EXPECT_TRUE(Encode(m).ok());
  m.AddU8(ToyTag::kCount, 1);
  EXPECT_THAT(Encode(m).message(), HasSubstr("body would be more than 65535 bytes"));
  ToyMessage big{ToyCommand::kPing, 1, {}};
  big.Add(ToyTag::kName, Bytes(kMaxBody + 1, 'x'));
  EXPECT_THAT(Encode(big).message(), HasSubstr("NAME (tag 1) value is 65536 bytes"));
}

}  // namespace
}  // namespace opencapf::framed
