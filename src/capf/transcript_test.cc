// The two recorded sessions in testdata/capf: every message decodes, the sequence is what the
// file shows, and each message is rebuilt byte for byte by the typed constructors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <sstream>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/framed_transcript.h"
#include "capf/commands.h"
#include "capf/message.h"
#include "pki/certificate.h"

namespace opencapf::capf {
namespace {

std::string Vector(const std::string& name) {
  return std::string(OPENCAPF_TESTDATA) + "/capf/" + name;
}

using Sent = framed::testing::TranscriptMessage;

Result<std::vector<Sent>> ReadTranscript(const std::string& path) {
  return framed::testing::ReadTranscript(Framing::kWire, path);
}

// Parses a message with its typed view and builds it again with the typed constructor.
Result<Message> Rebuild(const Message& m) {
  switch (m.command) {
    case Command::kAuthRequest: {
      auto v = ParseAuthRequest(m);
      if (!v.ok()) return v.error();
      return MakeAuthRequest(m.session_id, *v);
    }
    case Command::kAuthResponse: {
      auto v = ParseAuthResponse(m);
      if (!v.ok()) return v.error();
      return MakeAuthResponse(m.session_id, *v);
    }
    case Command::kKeyGenRequest: {
      auto v = ParseKeyGenRequest(m);
      if (!v.ok()) return v.error();
      return MakeKeyGenRequest(m.session_id, *v);
    }
    case Command::kRequestInProgress:
      return MakeRequestInProgress(m.session_id);
    case Command::kKeyGenResponse: {
      auto v = ParseKeyGenResponse(m);
      if (!v.ok()) return v.error();
      return MakeKeyGenResponse(m.session_id, *v);
    }
    case Command::kStoreCertRequest: {
      auto v = ParseStoreCertRequest(m);
      if (!v.ok()) return v.error();
      return MakeStoreCertRequest(m.session_id, *v);
    }
    case Command::kStoreCertResponse: {
      auto v = ParseStoreCertResponse(m);
      if (!v.ok()) return v.error();
      return MakeStoreCertResponse(m.session_id, *v);
    }
    case Command::kEndSession: {
      auto v = ParseEndSession(m);
      if (!v.ok()) return v.error();
      return MakeEndSession(m.session_id, *v);
    }
    default:
      return Fail("no typed view for " + CommandName(m.command));
  }
}

/// What each recorded session is known to contain.
struct Expected {
  std::string file;
  std::uint32_t session_id;
  std::string device_name;
  std::string password;
  KeyGenRequest key_request;
  pki::KeyAlgorithm key_algorithm;
  int key_bits;
};

class TranscriptTest : public ::testing::TestWithParam<Expected> {};

TEST_P(TranscriptTest, EveryMessageDecodesInTheRecordedOrder) {
  const Expected& want = GetParam();
  auto sent = ReadTranscript(Vector(want.file));
  ASSERT_TRUE(sent.ok()) << sent.message();
  std::vector<std::pair<bool, Command>> sequence;
  for (const Sent& s : *sent) {
    auto m = Message::Decode(s.bytes);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(m->session_id, want.session_id) << Summary(*m);
    sequence.emplace_back(s.from_server, m->command);
    // The server's reader path (header first, then the body it declares) agrees with Decode.
    auto header = Header::Decode(ByteView(s.bytes).first(kHeaderSize));
    ASSERT_TRUE(header.ok()) << header.message();
    auto body = DecodeBody(*header, ByteView(s.bytes).subspan(kHeaderSize));
    ASSERT_TRUE(body.ok()) << body.message();
    EXPECT_EQ(*body, *m);
  }
  const bool kServer = true, kPhone = false;
  const std::vector<std::pair<bool, Command>> expected = {
      {kServer, Command::kAuthRequest},      {kPhone, Command::kAuthResponse},
      {kServer, Command::kKeyGenRequest},    {kPhone, Command::kRequestInProgress},
      {kPhone, Command::kKeyGenResponse},    {kServer, Command::kStoreCertRequest},
      {kPhone, Command::kStoreCertResponse}, {kServer, Command::kEndSession},
  };
  EXPECT_EQ(sequence, expected);
}

TEST_P(TranscriptTest, TypedViewsAndConstructorsReproduceEveryByte) {
  auto sent = ReadTranscript(Vector(GetParam().file));
  ASSERT_TRUE(sent.ok()) << sent.message();
  for (const Sent& s : *sent) {
    auto m = Message::Decode(s.bytes);
    ASSERT_TRUE(m.ok()) << m.message();
    auto rebuilt = Rebuild(*m);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.message();
    auto bytes = Encode(*rebuilt);
    ASSERT_TRUE(bytes.ok()) << bytes.message();
    EXPECT_EQ(HexLower(*bytes), HexLower(s.bytes)) << Summary(*m);
  }
}

TEST_P(TranscriptTest, ConstructorsFromKnownValuesMatchTheRecording) {
  const Expected& want = GetParam();
  auto sent = ReadTranscript(Vector(want.file));
  ASSERT_TRUE(sent.ok()) << sent.message();
  ASSERT_EQ(sent->size(), 8u);
  const std::uint32_t session = want.session_id;

  // The payloads that cannot be known in advance: the LSC the server issued, and the phone's
  // key, which must be the LSC's key.
  auto store = ParseStoreCertRequest(Message::Decode((*sent)[5].bytes).value());
  ASSERT_TRUE(store.ok()) << store.message();
  auto lsc = pki::Certificate::FromDer(store->certificate.der);
  ASSERT_TRUE(lsc.ok()) << lsc.message();

  AuthResponse auth;
  auth.device_name = want.device_name;
  auth.password = want.password;
  const std::vector<Result<Message>> built = {
      MakeAuthRequest(session, {kProtocolVersion, AuthType::kNone}),
      MakeAuthResponse(session, auth),
      MakeKeyGenRequest(session, want.key_request),
      MakeRequestInProgress(session),
      MakeKeyGenResponse(session, {lsc->SubjectPublicKeyInfo(), std::nullopt}),
      MakeStoreCertRequest(session, {CertType::kLsc, {CertType::kLsc, lsc->der()}}),
      MakeStoreCertResponse(session, Reason::kOk),
      MakeEndSession(session, {Reason::kOk, ""}),
  };
  for (std::size_t i = 0; i < built.size(); ++i) {
    ASSERT_TRUE(built[i].ok()) << i << ": " << built[i].message();
    auto bytes = Encode(*built[i]);
    ASSERT_TRUE(bytes.ok()) << bytes.message();
    EXPECT_EQ(HexLower(*bytes), HexLower((*sent)[i].bytes)) << "message " << i;
  }
}

TEST_P(TranscriptTest, TheIssuedCertificateBelongsToThePhoneAndTheCapf) {
  const Expected& want = GetParam();
  auto sent = ReadTranscript(Vector(want.file));
  ASSERT_TRUE(sent.ok()) << sent.message();
  auto capf = pki::Certificate::Load(Vector("capf.crt"));
  ASSERT_TRUE(capf.ok()) << capf.message();

  auto auth = ParseAuthResponse(Message::Decode((*sent)[1].bytes).value());
  ASSERT_TRUE(auth.ok()) << auth.message();
  EXPECT_EQ(auth->device_name, want.device_name);
  EXPECT_EQ(auth->password, want.password);
  EXPECT_EQ(auth->reason, Reason::kOk);
  EXPECT_EQ(auth->version, kProtocolVersion);
  EXPECT_FALSE(auth->certificate);

  auto request = ParseKeyGenRequest(Message::Decode((*sent)[2].bytes).value());
  ASSERT_TRUE(request.ok()) << request.message();
  EXPECT_EQ(*request, want.key_request);

  auto key = ParseKeyGenResponse(Message::Decode((*sent)[4].bytes).value());
  ASSERT_TRUE(key.ok()) << key.message();
  ASSERT_TRUE(key->ok());

  std::size_t stores = 0;
  for (const Sent& s : *sent) {
    auto m = Message::Decode(s.bytes).value();
    if (m.command != Command::kStoreCertRequest) continue;
    ++stores;
    auto store = ParseStoreCertRequest(m);
    ASSERT_TRUE(store.ok()) << store.message();
    EXPECT_EQ(store->cert_type, CertType::kLsc);
    EXPECT_EQ(store->certificate.type, CertType::kLsc);
    auto lsc = pki::Certificate::FromDer(store->certificate.der);
    ASSERT_TRUE(lsc.ok()) << lsc.message();
    EXPECT_EQ(lsc->CommonName(), want.device_name);
    EXPECT_EQ(lsc->Issuer(), capf->Subject());
    EXPECT_EQ(X509_verify(lsc->get(), capf->public_key()), 1) << "LSC not signed by capf.crt";
    EXPECT_EQ(lsc->SubjectPublicKeyInfo(), key->public_key);
    EXPECT_EQ(lsc->key_algorithm(), want.key_algorithm);
    EXPECT_EQ(lsc->key_bits(), want.key_bits);
  }
  EXPECT_EQ(stores, 1u);
}

TEST_P(TranscriptTest, TheServerSplitHeaderAndBodyThePhoneDidNot) {
  // Recorded as is: this server wrote each non-empty message as two writes (header, body),
  // which wire-formats.md warns stalls real phones; Encode gives one buffer for one write.
  auto sent = ReadTranscript(Vector(GetParam().file));
  ASSERT_TRUE(sent.ok()) << sent.message();
  for (const Sent& s : *sent) {
    int expected = (s.from_server && s.bytes.size() > kHeaderSize) ? 2 : 1;
    EXPECT_EQ(s.writes, expected) << HexLower(ByteView(s.bytes).first(kHeaderSize));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Capf, TranscriptTest,
    ::testing::Values(Expected{"install-null-rsa2048.hex", 1, "SEP001122334455", "",
                               KeyGenRequest{KeyType::kRsa, 2048, Curve::kSecp256r1},
                               pki::KeyAlgorithm::kRsa, 2048},
                      Expected{"install-authstring-ec384.hex", 2, "SEP0011223344EC", "123456",
                               KeyGenRequest{KeyType::kEc, 2048, Curve::kSecp384r1},
                               pki::KeyAlgorithm::kEc, 384}),
    [](const ::testing::TestParamInfo<Expected>& info) {
      return info.param.key_algorithm == pki::KeyAlgorithm::kRsa ? std::string("NullStringRsa2048")
                                                                 : std::string("AuthStringEc384");
    });

TEST(Transcript, ReaderRefusesALeftOverPartialMessage) {
  auto dir = ::testing::TempDir();
  std::string path = dir + "/partial.hex";
  {
    std::string content = "capf->phone 5501000000010008\ncapf->phone 07000103\n";
    ASSERT_TRUE(WriteFileAtomic(path, Bytes(content.begin(), content.end())).ok());
  }
  auto sent = ReadTranscript(path);
  ASSERT_FALSE(sent.ok());
  EXPECT_THAT(sent.message(), ::testing::HasSubstr("12 bytes left over"));
}

}  // namespace
}  // namespace opencapf::capf
