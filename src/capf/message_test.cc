#include "capf/message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace opencapf::capf {
namespace {

using ::testing::HasSubstr;

Bytes Hex(std::string_view text) { return ParseHex(text).value(); }

// The phone's AUTH_RESPONSE from install-null-rsa2048.hex.
const char kAuthResponseHex[] =
    "550200000001001f01000101070001030b0001000d001053455030303131323233333434353500";

TEST(Message, DecodesARealAuthResponse) {
  auto m = Message::Decode(Hex(kAuthResponseHex));
  ASSERT_TRUE(m.ok()) << m.message();
  EXPECT_EQ(m->command, Command::kAuthResponse);
  EXPECT_EQ(m->session_id, 1u);
  ASSERT_EQ(m->elements.size(), 4u);
  EXPECT_EQ(m->elements[0].tag, static_cast<std::uint8_t>(Tag::kReason));
  EXPECT_EQ(*m->U8(Tag::kReason), 1);
  EXPECT_EQ(*m->U8(Tag::kVersion), 3);
  EXPECT_EQ(*m->Text(Tag::kPassword), "");
  EXPECT_EQ(*m->Text(Tag::kDeviceName), "SEP001122334455");
  EXPECT_FALSE(m->Has(Tag::kCertificate));
  EXPECT_EQ(m->Find(Tag::kCertificate), nullptr);
}

TEST(Message, EncodesHeaderThenElementsInOneBuffer) {
  Message m;
  m.command = Command::kKeyGenRequest;
  m.session_id = 0x01020304;
  m.AddU16(Tag::kKeySize, 2048).AddU8(Tag::kKeyType, 0);
  auto bytes = Encode(m);
  ASSERT_TRUE(bytes.ok()) << bytes.message();
  EXPECT_EQ(HexLower(*bytes),
            "5503010203040009"
            "0a00020800"
            "11000100");
  auto back = Message::Decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.message();
  EXPECT_EQ(*back, m);
}

TEST(Message, EmptyBodyRoundTrips) {
  Message m;
  m.command = Command::kRequestInProgress;
  m.session_id = 7;
  auto bytes = Encode(m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(HexLower(*bytes), "5511000000070000");
  EXPECT_EQ(*Message::Decode(*bytes), m);
}

TEST(Message, DecodeHeaderThenBodyLikeAServer) {
  Bytes whole = Hex(kAuthResponseHex);
  auto header = Header::Decode(ByteView(whole).first(kHeaderSize));
  ASSERT_TRUE(header.ok()) << header.message();
  EXPECT_EQ(header->command, Command::kAuthResponse);
  EXPECT_EQ(header->session_id, 1u);
  EXPECT_EQ(header->body_length, whole.size() - kHeaderSize);
  auto body = DecodeBody(*header, ByteView(whole).subspan(kHeaderSize));
  ASSERT_TRUE(body.ok()) << body.message();
  EXPECT_EQ(*body, *Message::Decode(whole));
}

TEST(Message, UnknownTagsAreKept) {
  Bytes whole =
      Hex("5502000000010008"
          "c8000201ff"
          "0d0000");
  auto m = Message::Decode(whole);
  ASSERT_TRUE(m.ok()) << m.message();
  ASSERT_EQ(m->elements.size(), 2u);
  EXPECT_EQ(m->elements[0].tag, 200);
  EXPECT_EQ(m->elements[0].value, (Bytes{0x01, 0xff}));
  EXPECT_EQ(TagName(200), "tag 200");
  EXPECT_EQ(*Encode(*m), whole);
}

TEST(Message, TruncatedHeaderSaysHowManyBytesCame) {
  auto h = Header::Decode(Hex("5501000000"));
  ASSERT_FALSE(h.ok());
  EXPECT_THAT(h.message(), HasSubstr("truncated: 5 bytes, a header is 8"));
  EXPECT_FALSE(Message::Decode(Bytes{}).ok());
}

TEST(Message, WrongProtocolIdIsNamedWithAHint) {
  auto tls = Header::Decode(Hex("160301020001fc03"));
  ASSERT_FALSE(tls.ok());
  EXPECT_THAT(tls.message(), HasSubstr("protocol id 0x16 at offset 0 is not CAPF (0x55)"));
  EXPECT_THAT(tls.message(), HasSubstr("TLS"));
  auto tvs = Header::Decode(Hex("5701010000000001"));
  ASSERT_FALSE(tvs.ok());
  EXPECT_THAT(tvs.message(), HasSubstr("TVS"));
  auto http = Header::Decode(Bytes{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T'});
  ASSERT_FALSE(http.ok());
  EXPECT_THAT(http.message(), HasSubstr("\"GET \""));
  auto other = Header::Decode(Hex("0001000000010000"));
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.message(), HasSubstr("protocol id 0x00 at offset 0 is not CAPF"));
}

TEST(Message, UnknownCommandIsAnError) {
  for (std::uint8_t command : {0, 24, 255}) {
    Bytes h = {0x55, command, 0, 0, 0, 1, 0, 0};
    auto header = Header::Decode(h);
    ASSERT_FALSE(header.ok());
    EXPECT_THAT(header.message(), HasSubstr("command " + std::to_string(command)));
    EXPECT_THAT(header.message(), HasSubstr("is not a CAPF command"));
  }
  for (std::uint8_t command = 1; command <= 23; ++command) {
    EXPECT_TRUE(IsKnownCommand(command));
    EXPECT_THAT(CommandName(static_cast<Command>(command)), ::testing::Not(HasSubstr("command")));
  }
}

TEST(Message, BodyShorterThanDeclared) {
  const Bytes full = Hex(kAuthResponseHex);
  // Copy all but the last three bytes (resize() here trips a GCC 12 -Wstringop-overflow false
  // positive in the sanitizer build).
  Bytes whole(full.begin(), full.end() - 3);
  auto m = Message::Decode(whole);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.message(), HasSubstr("AUTH_RESPONSE: body is 28 bytes but the header declares 31"));
  auto header = Header::Decode(whole);
  ASSERT_TRUE(header.ok());
  EXPECT_FALSE(DecodeBody(*header, ByteView(whole).subspan(kHeaderSize)).ok());
}

TEST(Message, BytesAfterTheMessageAreAnError) {
  Bytes whole = Hex(kAuthResponseHex);
  whole.push_back(0x55);
  auto m = Message::Decode(whole);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.message(), HasSubstr("1 bytes follow the message"));
}

TEST(Message, ElementLengthPastTheBodyNamesOffsetAndTag) {
  // DEVICE_NAME claims 16 bytes; only 4 are in the body.
  Bytes whole =
      Hex("5502000000010007"
          "0d0010"
          "53455030");
  auto m = Message::Decode(whole);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.message(), HasSubstr("AUTH_RESPONSE"));
  EXPECT_THAT(m.message(), HasSubstr("DEVICE_NAME (tag 13) element at offset 8"));
  EXPECT_THAT(m.message(), HasSubstr("needs 16 bytes but only 4 are left"));
}

TEST(Message, ElementHeaderCutInHalf) {
  Bytes whole =
      Hex("5502000000010002"
          "0d00");
  auto m = Message::Decode(whole);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.message(), HasSubstr("offset 9: DEVICE_NAME (tag 13) element at offset 8: length"));
}

TEST(Message, AccessorsNameTheElement) {
  Message m;
  m.command = Command::kKeyGenRequest;
  m.AddU8(Tag::kKeySize, 8).Add(Tag::kKeyType, Bytes{0, 0});
  auto missing = m.U8(Tag::kCurve);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message(), "KEY_GEN_REQUEST: no CURVE (tag 18) element");
  auto short_size = m.U16(Tag::kKeySize);
  ASSERT_FALSE(short_size.ok());
  EXPECT_EQ(short_size.message(), "KEY_GEN_REQUEST: KEY_SIZE (tag 10) has length 1, expected 2");
  auto long_type = m.U8(Tag::kKeyType);
  ASSERT_FALSE(long_type.ok());
  EXPECT_EQ(long_type.message(), "KEY_GEN_REQUEST: KEY_TYPE (tag 17) has length 2, expected 1");
  EXPECT_FALSE(m.Text(Tag::kDeviceName).ok());
}

TEST(Message, TextWithoutNulIsAccepted) {
  Message m;
  m.Add(Tag::kDeviceName, Bytes{'S', 'E', 'P'});
  EXPECT_EQ(*m.Text(Tag::kDeviceName), "SEP");
}

TEST(Message, EncodeRefusesABodyTooLargeForItsLength) {
  Message m;
  m.command = Command::kStoreCertRequest;
  m.Add(Tag::kCertificate, Bytes(kMaxBody - 3, 0xaa));
  auto exact = Encode(m);
  ASSERT_TRUE(exact.ok()) << exact.message();
  EXPECT_EQ(exact->size(), kHeaderSize + kMaxBody);
  EXPECT_TRUE(Message::Decode(*exact).ok());

  m.AddU8(Tag::kCertType, 1);
  auto too_big = Encode(m);
  ASSERT_FALSE(too_big.ok());
  EXPECT_THAT(too_big.message(), HasSubstr("body would be more than 65535 bytes"));

  Message huge;
  huge.Add(Tag::kCertificate, Bytes(kMaxBody + 1, 0));
  auto element = Encode(huge);
  ASSERT_FALSE(element.ok());
  EXPECT_THAT(element.message(), HasSubstr("CERTIFICATE (tag 4) value is 65536 bytes"));
}

TEST(Message, SummaryHidesThePassword) {
  auto m = Message::Decode(
      Hex("550200000002002501000101070001030b0007313233343536000d001053455030303131323233333"
          "434454300"));
  ASSERT_TRUE(m.ok()) << m.message();
  std::string line = Summary(*m);
  EXPECT_EQ(line,
            "AUTH_RESPONSE session 2: REASON 1, VERSION 3, PASSWORD (6 characters, not shown), "
            "DEVICE_NAME \"SEP0011223344EC\"");
  EXPECT_THAT(line, ::testing::Not(HasSubstr("123456")));
  Message empty;
  empty.command = Command::kRequestInProgress;
  EXPECT_EQ(Summary(empty), "REQUEST_IN_PROGRESS session 0: no elements");
  Message odd;
  odd.command = Command::kEndSession;
  odd.AddU8(Tag::kReason, 9).AddText(Tag::kReasonInfo, "bad\nname");
  EXPECT_EQ(Summary(odd), "END_SESSION session 0: REASON 9, REASON_INFO \"bad\\x0aname\"");
}

}  // namespace
}  // namespace opencapf::capf
