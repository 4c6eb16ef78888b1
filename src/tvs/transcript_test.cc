// The two recorded TVS exchanges in testdata/tvs: every message decodes to what the README says,
// and our typed constructors (the client's request, the server's answer) rebuild each message
// byte for byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "base/file.h"
#include "pki/certificate.h"
#include "tvs/client.h"
#include "tvs/message.h"
#include "tvs/transcript.h"

namespace opencapf::tvs {
namespace {

using testing::ReadTranscript;
using testing::TranscriptMessage;
using testing::TvsVector;

constexpr char kDevice[] = "CP-7962-SEP001122334455";

pki::Certificate Load(const std::string& name) {
  auto cert = pki::Certificate::Load(TvsVector(name));
  EXPECT_TRUE(cert.ok()) << cert.message();
  return *cert;
}

TEST(TvsTranscript, KnownCertificateIsValidForCcmAndTftp) {
  auto transcript = ReadTranscript(TvsVector("verify-known.hex"));
  ASSERT_TRUE(transcript.ok()) << transcript.message();
  ASSERT_EQ(transcript->size(), 2u);
  const TranscriptMessage& ask = (*transcript)[0];
  const TranscriptMessage& answer = (*transcript)[1];
  EXPECT_FALSE(ask.from_server);
  EXPECT_TRUE(answer.from_server);
  EXPECT_EQ(answer.writes, 2) << "the recorded server wrote header and body apart";

  auto request = Message::Decode(ask.bytes);
  ASSERT_TRUE(request.ok()) << request.message();
  EXPECT_EQ(request->command, Command::kVerifyRequest);
  EXPECT_EQ(request->session_id, 1u);
  auto asked = ParseVerifyRequest(*request);
  ASSERT_TRUE(asked.ok()) << asked.message();
  EXPECT_EQ(asked->device_name, kDevice);
  const pki::Certificate known = Load("known.crt");
  EXPECT_EQ(asked->certificate, known.der());
  // Element order as recorded: DEVICE_NAME, then CERTIFICATE.
  ASSERT_EQ(request->elements.size(), 2u);
  EXPECT_EQ(request->elements[0].tag, static_cast<std::uint8_t>(Tag::kDeviceName));
  EXPECT_EQ(request->elements[1].tag, static_cast<std::uint8_t>(Tag::kCertificate));

  auto response = Message::Decode(answer.bytes);
  ASSERT_TRUE(response.ok()) << response.message();
  EXPECT_EQ(response->command, Command::kVerifyResponse);
  EXPECT_EQ(response->session_id, 1u) << "the session id is echoed";
  auto said = ParseVerifyResponse(*response);
  ASSERT_TRUE(said.ok()) << said.message();
  EXPECT_EQ(*said, (VerifyResponse{Verdict::kValid, {1, 3}, 86400}));

  // Our client's request and our server's answer, byte for byte.
  auto ours = MakeClientRequest(known, kDevice, 1);
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(HexLower(*Encode(*ours)), HexLower(ask.bytes));
  auto reply = MakeVerifyResponse(1, *said);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(HexLower(*Encode(*reply)), HexLower(answer.bytes));
}

TEST(TvsTranscript, UnknownCertificateIsInvalid) {
  auto transcript = ReadTranscript(TvsVector("verify-unknown.hex"));
  ASSERT_TRUE(transcript.ok()) << transcript.message();
  ASSERT_EQ(transcript->size(), 2u);
  auto request = Message::Decode((*transcript)[0].bytes);
  ASSERT_TRUE(request.ok()) << request.message();
  auto asked = ParseVerifyRequest(*request);
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(asked->device_name, kDevice);
  const pki::Certificate unknown = Load("unknown.crt");
  EXPECT_EQ(asked->certificate, unknown.der());

  auto response = Message::Decode((*transcript)[1].bytes);
  ASSERT_TRUE(response.ok()) << response.message();
  auto said = ParseVerifyResponse(*response);
  ASSERT_TRUE(said.ok());
  EXPECT_EQ(said->status, Verdict::kInvalid);
  EXPECT_EQ(response->elements.size(), 1u) << "only STATUS";

  auto ours = MakeClientRequest(unknown, kDevice, request->session_id);
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(HexLower(*Encode(*ours)), HexLower((*transcript)[0].bytes));
  auto reply = MakeVerifyResponse(response->session_id, VerifyResponse{});
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(HexLower(*Encode(*reply)), HexLower((*transcript)[1].bytes));
}

}  // namespace
}  // namespace opencapf::tvs
