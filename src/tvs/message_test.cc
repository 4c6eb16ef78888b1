// The TVS codec on its own: header and body decoding with every length checked, the typed
// request and response, and errors that say where and what.
#include "tvs/message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace opencapf::tvs {
namespace {

using ::testing::HasSubstr;

Bytes Hex(const char* text) { return *ParseHex(text); }

TEST(TvsMessage, EncodesHeaderAndElementsInOrder) {
  auto request = MakeVerifyRequest(0x01020304, {"SEP0011", Bytes{0x30, 0x00}});
  ASSERT_TRUE(request.ok()) << request.message();
  auto bytes = Encode(*request);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(HexLower(*bytes),
            "57010100010203040010"    // header: 0x57, v1, VERIFY_REQUEST, 0, session, length 16
            "0100080153455030303131"  // DEVICE_NAME: 0x01 "SEP0011"
            "0200023000");            // CERTIFICATE
  auto decoded = Message::Decode(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.message();
  EXPECT_EQ(*decoded, *request);
  auto parsed = ParseVerifyRequest(*decoded);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->device_name, "SEP0011");
  EXPECT_EQ(parsed->certificate, (Bytes{0x30, 0x00}));
}

TEST(TvsMessage, ValidAndInvalidResponses) {
  auto valid = MakeVerifyResponse(1, {Verdict::kValid, {1, 3}, 86400});
  ASSERT_TRUE(valid.ok());
  EXPECT_EQ(HexLower(*Encode(*valid)),
            "57010200000000010010"
            "07000100"
            "0800020103"
            "09000400015180");
  auto invalid = MakeVerifyResponse(1, {Verdict::kInvalid, {1}, 5});
  ASSERT_TRUE(invalid.ok());
  EXPECT_EQ(HexLower(*Encode(*invalid)),
            "57010200000000010004"
            "07000101")
      << "an invalid answer carries no roles and no TTL";

  auto parsed = ParseVerifyResponse(*Message::Decode(*Encode(*valid)));
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  EXPECT_EQ(*parsed, (VerifyResponse{Verdict::kValid, {1, 3}, 86400}));
  auto none = ParseVerifyResponse(*invalid);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, VerifyResponse{});
}

TEST(TvsMessage, QueryCommandsAreAnsweredInKind) {
  EXPECT_EQ(ResponseTo(Command::kVerifyRequest), Command::kVerifyResponse);
  EXPECT_EQ(ResponseTo(Command::kQueryRequest), Command::kQueryResponse);
  auto query = MakeVerifyRequest(7, {"", Bytes{0x30}}, Command::kQueryRequest);
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(HexLower(*Encode(*query)),
            "57010300000000070004"
            "02000130")
      << "no DEVICE_NAME when the name is empty";
  EXPECT_TRUE(ParseVerifyRequest(*query).ok());
  EXPECT_FALSE(MakeVerifyRequest(7, {"", Bytes{0x30}}, Command::kVerifyResponse).ok());
  EXPECT_FALSE(MakeVerifyResponse(7, {}, Command::kQueryRequest).ok());
  auto answer = MakeVerifyResponse(7, {Verdict::kValid, {21}, 60}, Command::kQueryResponse);
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(ParseVerifyResponse(*answer).ok());
}

TEST(TvsMessage, HeaderErrorsSayWhatTheBytesAre) {
  EXPECT_THAT(Header::Decode(Hex("570101")).message(), HasSubstr("truncated: 3 bytes"));
  EXPECT_THAT(Header::Decode(Hex("55020000000100000000")).message(),
              HasSubstr("protocol id 0x55 at offset 0 is not TVS (0x57): it looks like CAPF"));
  EXPECT_THAT(Header::Decode(Hex("16030100a50100009f03")).message(),
              HasSubstr("looks like a TLS handshake"));
  EXPECT_THAT(Header::Decode(Hex("474554202f20485454502f")).message(),
              HasSubstr("read as text (\"GET \")"));
  EXPECT_THAT(Header::Decode(Hex("57020100000000010000")).message(),
              HasSubstr("version at offset 1 is 0x02, not 0x01"));
  EXPECT_THAT(Header::Decode(Hex("57010500000000010000")).message(),
              HasSubstr("command 5 (0x05) at offset 2 is not a TVS command"));
  EXPECT_THAT(Header::Decode(Hex("57010000000000010000")).message(), HasSubstr("command 0"));
  EXPECT_THAT(Header::Decode(Hex("57010101000000010000")).message(),
              HasSubstr("reserved byte at offset 3 is 0x01"));
  auto ok = Header::Decode(Hex("57010200deadbeef0123ffff"));  // extra bytes are not its business
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, (Header{Command::kVerifyResponse, 0xdeadbeef, 0x0123}));
}

TEST(TvsMessage, BodyErrorsNameTheElementAndOffset) {
  const Header h{Command::kVerifyRequest, 1, 3};
  auto past = DecodeBody(h, Hex("010010"));
  ASSERT_FALSE(past.ok());
  EXPECT_THAT(past.message(), HasSubstr("VERIFY_REQUEST"));
  EXPECT_THAT(past.message(), HasSubstr("DEVICE_NAME (tag 1) element at offset 10"));
  EXPECT_THAT(past.message(), HasSubstr("value of length 16"));

  auto cut = DecodeBody(Header{Command::kVerifyRequest, 1, 6}, Hex("020001300200"));
  ASSERT_FALSE(cut.ok());
  EXPECT_THAT(cut.message(), HasSubstr("CERTIFICATE (tag 2) element at offset 14: length"));

  EXPECT_THAT(DecodeBody(Header{Command::kVerifyRequest, 1, 8}, Hex("020001")).message(),
              HasSubstr("body is 3 bytes but the header declares 8 (message cut short)"));
  EXPECT_THAT(Message::Decode(Hex("5701020000000001000407000100ff")).message(),
              HasSubstr("1 bytes follow the message"));

  auto unknown =
      Message::Decode(Hex("5701020000000001000863000100070001"
                          "01"));
  ASSERT_TRUE(unknown.ok()) << unknown.message();
  ASSERT_EQ(unknown->elements.size(), 2u);
  EXPECT_EQ(unknown->elements[0].tag, 0x63) << "unknown tags are kept";
}

TEST(TvsMessage, RequestsThatCannotBeAnswered) {
  Message m{Command::kVerifyRequest, 1, {}};
  EXPECT_THAT(ParseVerifyRequest(m).message(),
              HasSubstr("VERIFY_REQUEST: no CERTIFICATE (tag 2) element"));
  m.Add(Tag::kCertificate, Bytes{});
  EXPECT_THAT(ParseVerifyRequest(m).message(), HasSubstr("CERTIFICATE (tag 2) is empty"));
  Message named{Command::kVerifyRequest, 1, {}};
  named.Add(Tag::kDeviceName, Hex("0253455030")).Add(Tag::kCertificate, Bytes{0x30});
  EXPECT_THAT(ParseVerifyRequest(named).message(), HasSubstr("starts with 0x02, not 0x01"));
  Message response{Command::kVerifyResponse, 1, {}};
  EXPECT_THAT(ParseVerifyRequest(response).message(), HasSubstr("is not a request"));
}

TEST(TvsMessage, ResponsesThatCannotBeBelieved) {
  Message m{Command::kVerifyResponse, 1, {}};
  EXPECT_THAT(ParseVerifyResponse(m).message(), HasSubstr("no STATUS (tag 7) element"));
  m.AddU8(Tag::kStatus, 2);
  EXPECT_THAT(ParseVerifyResponse(m).message(), HasSubstr("STATUS (tag 7) is 2"));
  Message valid{Command::kVerifyResponse, 1, {}};
  valid.AddU8(Tag::kStatus, 0);
  EXPECT_THAT(ParseVerifyResponse(valid).message(),
              HasSubstr("no ROLES (tag 8) element in a valid"));
  valid.Add(Tag::kRoles, Bytes{1});
  EXPECT_THAT(ParseVerifyResponse(valid).message(), HasSubstr("no TTL (tag 9) element in a valid"));
  valid.Add(Tag::kTtl, Bytes{0, 1});
  EXPECT_THAT(ParseVerifyResponse(valid).message(),
              HasSubstr("TTL (tag 9) has length 2, expected 4"));
  Message wide{Command::kVerifyResponse, 1, {}};
  wide.Add(Tag::kStatus, Bytes{0, 0});
  EXPECT_THAT(ParseVerifyResponse(wide).message(), HasSubstr("has length 2, expected 1"));
}

TEST(TvsMessage, EncodeRefusesWhatDoesNotFit) {
  Message big{Command::kVerifyRequest, 1, {}};
  big.Add(Tag::kCertificate, Bytes(70000, 0x30));
  EXPECT_THAT(Encode(big).message(), HasSubstr("CERTIFICATE (tag 2) value is 70000 bytes"));
  Message many{Command::kVerifyRequest, 1, {}};
  for (int i = 0; i < 3; ++i) many.Add(Tag::kCertificate, Bytes(30000, 0x30));
  EXPECT_THAT(Encode(many).message(), HasSubstr("body would be more than 65535 bytes"));
}

TEST(TvsMessage, SummaryForLogs) {
  auto request = MakeVerifyRequest(1, {"CP-7962-SEP\x01", Bytes(945, 0x30)});
  EXPECT_EQ(Summary(*request),
            "VERIFY_REQUEST session 1: DEVICE_NAME \"CP-7962-SEP\\x01\", CERTIFICATE (945 bytes)");
  auto valid = MakeVerifyResponse(1, {Verdict::kValid, {1, 3}, 86400});
  EXPECT_EQ(Summary(*valid), "VERIFY_RESPONSE session 1: STATUS 0, ROLES [1,3], TTL 86400");
  EXPECT_EQ(Summary(Message{Command::kQueryResponse, 2, {}}),
            "QUERY_RESPONSE session 2: no elements");
}

}  // namespace
}  // namespace opencapf::tvs
