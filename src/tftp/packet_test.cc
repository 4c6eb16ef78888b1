#include "tftp/packet.h"

#include <gtest/gtest.h>

namespace opencapf::tftp {
namespace {

Bytes B(std::string_view text) { return Bytes(text.begin(), text.end()); }

std::string Text(const Bytes& b) { return std::string(b.begin(), b.end()); }

// The bytes of a string literal with embedded NULs, without the terminating one.
template <std::size_t N>
Bytes Raw(const char (&literal)[N]) {
  return Bytes(literal, literal + N - 1);
}

TEST(TftpPacket, DecodesAReadRequestWithOptionsCaseInsensitively) {
  auto packet = DecodePacket(Raw("\0\1ITLFile.tlv\0OCTET\0BlkSize\0001428\0TSIZE\0000\0"));
  ASSERT_TRUE(packet.ok()) << packet.message();
  const auto& request = std::get<Request>(*packet);
  EXPECT_FALSE(request.write);
  EXPECT_EQ(request.filename, "ITLFile.tlv");
  EXPECT_EQ(request.mode, Mode::kOctet);
  ASSERT_EQ(request.options.size(), 2u);
  EXPECT_EQ(request.options[0], (Option{"blksize", "1428"}));
  EXPECT_EQ(request.options[1], (Option{"tsize", "0"}));
}

TEST(TftpPacket, EncodeDecodeRoundTrips) {
  const std::vector<Packet> packets = {
      Request{false, "SEP001122334455.cnf.xml", Mode::kNetascii, {{"windowsize", "8"}}},
      Request{true, "x", Mode::kOctet, {}},
      DataPacket{65535, B("hello")},
      DataPacket{0, {}},
      AckPacket{7},
      ErrorPacket{ErrorCode::kAccessViolation, "opencapf serves files read-only"},
      OptionAckPacket{{{"blksize", "1428"}, {"tsize", "4242"}}},
  };
  for (const Packet& p : packets) {
    auto back = DecodePacket(Encode(p));
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(*back, p);
  }
  EXPECT_EQ(Text(EncodeAck(0x0102)), std::string("\0\4\1\2", 4));
  EXPECT_EQ(Text(EncodeError(ErrorCode::kFileNotFound, "gone")), std::string("\0\5\0\1gone\0", 9));
}

TEST(TftpPacket, ParseErrorsSayWhatAndWhere) {
  struct Case {
    std::string bytes;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {std::string("", 0), "at least 2 bytes"},
      {std::string("\0", 1), "at least 2 bytes"},
      {std::string("\0\x09", 2), "unknown TFTP opcode 9"},
      {std::string("\0\1ITLFile.tlv", 13),
       "RRQ: filename starting at offset 2 has no NUL terminator before the datagram ends at "
       "byte 13"},
      {std::string("\0\1ITLFile.tlv\0", 14), "RRQ: mode is missing"},
      {std::string("\0\1a\0octet", 9), "RRQ: mode starting at offset 4 has no NUL"},
      {std::string("\0\1a\0binary\0", 12), "mode 'binary' is not netascii, octet or mail"},
      {std::string("\0\1a\0octet\0blksize\0", 18),
       "option 'blksize' at offset 10 has no value (the datagram ends after its name)"},
      {std::string("\0\1a\0octet\0blksize\0"
                   "512",
                   21),
       "value of option 'blksize'"},
      {std::string("\0\1a\0octet\0\0x\0", 13), "empty option name at offset 10"},
      {std::string("\0\4\0", 3), "ACK"},
      {std::string("\0\3", 2), "DATA"},
      {std::string("\0\5\0", 3), "ERROR"},
      {std::string("\0\6tsize", 7), "OACK: option name starting at offset 2"},
  };
  for (const Case& c : cases) {
    auto packet = DecodePacket(B(c.bytes));
    ASSERT_FALSE(packet.ok()) << "decoded " << Printable(c.bytes);
    EXPECT_NE(packet.message().find(c.expected), std::string::npos)
        << packet.message() << "\n  expected to contain: " << c.expected;
  }
}

TEST(TftpPacket, TrailingNulPaddingIsTolerated) {
  auto packet = DecodePacket(B(std::string("\0\1a\0octet\0\0\0\0", 13)));
  ASSERT_TRUE(packet.ok()) << packet.message();
  EXPECT_TRUE(std::get<Request>(*packet).options.empty());
}

TEST(TftpPacket, ErrorMessageWithoutNulIsStillRead) {
  auto packet = DecodePacket(B(std::string("\0\5\0\1gone", 8)));
  ASSERT_TRUE(packet.ok()) << packet.message();
  EXPECT_EQ(std::get<ErrorPacket>(*packet).message, "gone");
}

TEST(TftpPacket, Netascii) {
  EXPECT_EQ(ToNetascii(B("a\nb\rc\r\n")), Raw("a\r\nb\r\0c\r\0\r\n"));
  EXPECT_EQ(Text(FromNetascii(ToNetascii(B("a\nb\rc\r\n\n\r")))), "a\nb\rc\r\n\n\r");
  EXPECT_TRUE(ToNetascii({}).empty());
}

TEST(TftpPacket, PrintableEscapesControlBytes) {
  EXPECT_EQ(Printable("ok.txt"), "ok.txt");
  EXPECT_EQ(Printable(std::string("a\nb\x1b[31m\\", 9)), "a\\x0ab\\x1b[31m\\x5c");
  EXPECT_EQ(Printable(std::string(300, 'x'), 10), "xxxxxxxxxx...");
}

TEST(TftpNegotiation, NoOptionsMeansNoOack) {
  auto n = NegotiateOptions({}, {}, 1000);
  EXPECT_TRUE(n.accepted.empty());
  EXPECT_EQ(n.blksize, 512);
  EXPECT_EQ(n.windowsize, 1);
  EXPECT_FALSE(n.timeout);
}

TEST(TftpNegotiation, AcceptsClampsAndAnswersTsize) {
  OptionLimits limits{1468, 16};
  auto n = NegotiateOptions(
      {{"blksize", "1428"}, {"tsize", "0"}, {"timeout", "3"}, {"windowsize", "8"}}, limits, 4242);
  EXPECT_EQ(n.blksize, 1428);
  EXPECT_EQ(n.windowsize, 8);
  EXPECT_EQ(n.timeout, std::chrono::seconds(3));
  EXPECT_EQ(n.accepted,
            (std::vector<Option>{
                {"blksize", "1428"}, {"tsize", "4242"}, {"timeout", "3"}, {"windowsize", "8"}}));
  EXPECT_TRUE(n.ignored.empty());

  auto empty = NegotiateOptions({{"tsize", "0"}, {"blksize", "512"}}, limits, 0);
  EXPECT_EQ(empty.accepted, (std::vector<Option>{{"blksize", "512"}}))
      << "no tsize 0 in an OACK: curl fails on it";

  auto big = NegotiateOptions({{"blksize", "99999"}, {"windowsize", "65535"}}, limits, 0);
  EXPECT_EQ(big.blksize, 1468);
  EXPECT_EQ(big.windowsize, 16);
  EXPECT_EQ(big.accepted, (std::vector<Option>{{"blksize", "1468"}, {"windowsize", "16"}}));

  auto rfc_max = NegotiateOptions({{"blksize", "70000"}}, {65535, 1}, 0);
  EXPECT_EQ(rfc_max.blksize, 65464) << "never above RFC 2348's maximum, whatever the limit";
}

TEST(TftpNegotiation, InvalidAndUnknownOptionsAreIgnoredWithAReason) {
  auto n = NegotiateOptions({{"blksize", "0"},
                             {"blksize", "1024"},
                             {"timeout", "0"},
                             {"timeout", "256"},
                             {"windowsize", "0"},
                             {"windowsize", "-1"},
                             {"tsize", "abc"},
                             {"multicast", ""},
                             {"blksize", "7"}},
                            {}, 10);
  EXPECT_TRUE(n.accepted.empty());
  EXPECT_EQ(n.blksize, 512);
  EXPECT_EQ(n.windowsize, 1);
  EXPECT_FALSE(n.timeout);
  ASSERT_EQ(n.ignored.size(), 9u);
  EXPECT_NE(n.ignored[0].find("blksize '0': below the minimum of 8"), std::string::npos)
      << n.ignored[0];
  EXPECT_NE(n.ignored[1].find("already given"), std::string::npos) << n.ignored[1];
  EXPECT_NE(n.ignored[7].find("multicast '': not an option opencapf knows"), std::string::npos)
      << n.ignored[7];
}

TEST(TftpNegotiation, NumbersAreStrictDecimal) {
  for (const char* bad : {"", " 512", "512 ", "+512", "0x200", "5e2", "99999999999999999999"}) {
    auto n = NegotiateOptions({{"blksize", bad}}, {}, 0);
    EXPECT_TRUE(n.accepted.empty()) << "'" << bad << "'";
  }
  auto leading_zero = NegotiateOptions({{"blksize", "0512"}}, {}, 0);
  EXPECT_EQ(leading_zero.accepted, (std::vector<Option>{{"blksize", "512"}}));
}

}  // namespace
}  // namespace opencapf::tftp
