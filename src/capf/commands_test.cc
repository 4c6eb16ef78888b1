#include "capf/commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace opencapf::capf {
namespace {

using ::testing::HasSubstr;

// Encodes, decodes and checks the decoded message equals the one built.
Message OverTheWire(const Message& m) {
  auto bytes = Encode(m);
  EXPECT_TRUE(bytes.ok()) << bytes.message();
  if (!bytes.ok()) return {};
  auto back = Message::Decode(*bytes);
  EXPECT_TRUE(back.ok()) << back.message();
  if (!back.ok()) return {};
  EXPECT_EQ(*back, m);
  return *back;
}

std::string WireHex(const Message& m) { return HexLower(Encode(m).value()); }

Bytes Blob(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 13);
  return b;
}

TEST(Commands, AuthRequestRoundTrips) {
  for (AuthType type : {AuthType::kNone, AuthType::kAuthString, AuthType::kNullString,
                        AuthType::kLsc, AuthType::kMic}) {
    AuthRequest in{kProtocolVersion, type};
    Message m = MakeAuthRequest(42, in);
    EXPECT_EQ(m.command, Command::kAuthRequest);
    EXPECT_EQ(m.session_id, 42u);
    auto out = ParseAuthRequest(OverTheWire(m));
    ASSERT_TRUE(out.ok()) << out.message();
    EXPECT_EQ(*out, in);
  }
  EXPECT_EQ(WireHex(MakeAuthRequest(1, {3, AuthType::kLsc})), "55010000000100080700010308000103");
}

TEST(Commands, KeyGenRequestRoundTripsForRsaAndEc) {
  KeyGenRequest rsa{KeyType::kRsa, 4096, Curve::kSecp256r1};
  EXPECT_EQ(WireHex(MakeKeyGenRequest(5, rsa)),
            "5503000000050009"
            "0a00021000"
            "11000100");
  EXPECT_EQ(*ParseKeyGenRequest(OverTheWire(MakeKeyGenRequest(5, rsa))), rsa);
  for (Curve c : {Curve::kSecp256r1, Curve::kSecp384r1, Curve::kSecp521r1}) {
    KeyGenRequest ec{KeyType::kEc, 2048, c};
    auto out = ParseKeyGenRequest(OverTheWire(MakeKeyGenRequest(6, ec)));
    ASSERT_TRUE(out.ok()) << out.message();
    EXPECT_EQ(*out, ec);
  }
}

TEST(Commands, KeyGenRequestWithoutKeyTypeIsRsa) {
  Message m;
  m.command = Command::kKeyGenRequest;
  m.AddU16(Tag::kKeySize, 1024);
  auto out = ParseKeyGenRequest(m);
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(out->key_type, KeyType::kRsa);
  EXPECT_EQ(out->key_size, 1024);
}

TEST(Commands, KeyGenRequestErrorsNameTheElement) {
  Message m;
  m.command = Command::kKeyGenRequest;
  m.AddU8(Tag::kKeyType, 2);
  EXPECT_THAT(ParseKeyGenRequest(m).message(),
              HasSubstr("KEY_TYPE (tag 17) 2 is neither RSA (0) nor EC (1)"));
  m.elements.clear();
  m.AddU8(Tag::kKeyType, 1).AddU8(Tag::kCurve, 3);
  EXPECT_THAT(ParseKeyGenRequest(m).message(), HasSubstr("CURVE (tag 18) 3 is not a known curve"));
  m.elements.clear();
  m.AddU8(Tag::kKeyType, 1);
  EXPECT_EQ(ParseKeyGenRequest(m).message(), "KEY_GEN_REQUEST: no CURVE (tag 18) element");
  m.elements.clear();
  m.AddU8(Tag::kKeyType, 0);
  EXPECT_EQ(ParseKeyGenRequest(m).message(), "KEY_GEN_REQUEST: no KEY_SIZE (tag 10) element");
  m.elements.clear();
  m.AddU16(Tag::kKeySize, 0);
  EXPECT_THAT(ParseKeyGenRequest(m).message(), HasSubstr("is 0 bits"));
}

TEST(Commands, KeySpecsMapToRequestsAndBack) {
  for (const char* text : {"rsa:1024", "rsa:2048", "rsa:4096", "ec:256", "ec:384", "ec:521"}) {
    auto spec = pki::KeySpec::Parse(text);
    ASSERT_TRUE(spec.ok());
    auto request = KeyGenRequestFor(*spec);
    ASSERT_TRUE(request.ok()) << request.message();
    auto back = KeySpecFor(*request);
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(back->ToString(), text);
  }
  EXPECT_EQ(KeyGenRequestFor({pki::KeyAlgorithm::kEc, 384})->curve, Curve::kSecp384r1);
  EXPECT_FALSE(KeyGenRequestFor({pki::KeyAlgorithm::kEc, 192}).ok());
  EXPECT_FALSE(KeyGenRequestFor({pki::KeyAlgorithm::kOther, 0}).ok());
  auto odd = KeySpecFor({KeyType::kRsa, 1000, Curve::kSecp256r1});
  ASSERT_FALSE(odd.ok());
  EXPECT_THAT(odd.message(), HasSubstr("unsupported RSA size"));
  EXPECT_FALSE(KeySpecFor({KeyType::kEc, 0, static_cast<Curve>(9)}).ok());
}

TEST(Commands, StoreCertRequestRoundTrips) {
  StoreCertRequest in{CertType::kLsc, {CertType::kLsc, Blob(700, 1)}};
  auto m = MakeStoreCertRequest(9, in);
  ASSERT_TRUE(m.ok()) << m.message();
  ASSERT_EQ(m->elements.size(), 2u);
  EXPECT_EQ(m->elements[0].tag, static_cast<std::uint8_t>(Tag::kCertType));
  EXPECT_EQ(m->elements[1].tag, static_cast<std::uint8_t>(Tag::kCertificate));
  EXPECT_EQ(*ParseStoreCertRequest(OverTheWire(*m)), in);
  EXPECT_FALSE(MakeStoreCertRequest(9, {CertType::kLsc, {CertType::kLsc, {}}}).ok());
  auto big = MakeStoreCertRequest(9, {CertType::kLsc, {CertType::kLsc, Bytes(70000, 1)}});
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.message(), HasSubstr("STORE_CERT_REQUEST: CERTIFICATE: certificate is 70000"));
}

TEST(Commands, StoreCertRequestErrors) {
  Message m;
  m.command = Command::kStoreCertRequest;
  m.AddU8(Tag::kCertType, 1);
  EXPECT_EQ(ParseStoreCertRequest(m).message(),
            "STORE_CERT_REQUEST: no CERTIFICATE (tag 4) element");
  m.Add(Tag::kCertificate, Bytes{1, 0, 9, 0, 1});
  EXPECT_THAT(ParseStoreCertRequest(m).message(),
              HasSubstr("STORE_CERT_REQUEST: CERTIFICATE: wrapper length 9 does not match"));
  Message no_type;
  no_type.command = Command::kStoreCertRequest;
  no_type.Add(Tag::kCertificate, EncodeCertificate({CertType::kMic, Bytes{0x30}}).value());
  EXPECT_EQ(ParseStoreCertRequest(no_type)->cert_type, CertType::kMic);
}

TEST(Commands, EmptyRequestsHaveNoElements) {
  EXPECT_EQ(WireHex(MakeFetchCertRequest(3)), "550b000000030000");
  EXPECT_EQ(WireHex(MakeDeleteCertRequest(3)), "550d000000030000");
  EXPECT_EQ(WireHex(MakeRequestInProgress(3)), "5511000000030000");
}

TEST(Commands, EndSessionRoundTripsWithAndWithoutInfo) {
  EXPECT_EQ(WireHex(MakeEndSession(1, {Reason::kOk, ""})), "550f00000001000401000101");
  EXPECT_EQ(WireHex(MakeEndSession(9, {Reason::kInvalidElement, "bad signature"})),
            "550f0000000900150100010702000e626164207369676e617475726500");
  for (EndSession in : {EndSession{Reason::kUnknownDevice, ""},
                        EndSession{Reason::kInvalidElement, "signature does not verify"}}) {
    auto out = ParseEndSession(OverTheWire(MakeEndSession(77, in)));
    ASSERT_TRUE(out.ok()) << out.message();
    EXPECT_EQ(*out, in);
  }
  Message m = MakeEndSession(1, {Reason::kNoAction, "x"});
  EXPECT_EQ(m.elements[1].value, (Bytes{'x', 0}));
  Message huge = MakeEndSession(1, {Reason::kNoAction, std::string(100000, 'a')});
  auto bytes = Encode(huge);
  ASSERT_TRUE(bytes.ok()) << bytes.message();
  EXPECT_EQ(bytes->size(), kHeaderSize + kMaxBody);
}

TEST(Commands, AuthResponseRoundTripsWithEveryOptionalPart) {
  AuthResponse plain;
  plain.device_name = "SEP001122334455";
  EXPECT_EQ(WireHex(MakeAuthResponse(1, plain).value()),
            "550200000001001f01000101070001030b0001000d001053455030303131323233333434353500");
  EXPECT_EQ(*ParseAuthResponse(OverTheWire(MakeAuthResponse(1, plain).value())), plain);

  AuthResponse full;
  full.device_name = "CSFJDOE";
  full.password = "123456";
  full.certificate = WrappedCertificate{CertType::kMic, Blob(900, 3)};
  full.signed_data = Blob(256, 4);
  full.sha2_signed_data = Sha2SignedData{kHashSha512, Blob(256, 5)};
  full.sudi = SudiData{Blob(1000, 6), Blob(256, 7), Blob(256, 8)};
  auto m = MakeAuthResponse(0xdeadbeef, full);
  ASSERT_TRUE(m.ok()) << m.message();
  // Tiny stand-ins, to pin the exact bytes of every optional part (also a fuzz seed).
  AuthResponse tiny;
  tiny.device_name = "CSFJDOE";
  tiny.certificate = WrappedCertificate{CertType::kLsc, Bytes{0x30, 0x03, 0x02, 0x01, 0x01}};
  tiny.signed_data = Bytes(4, 0xdd);
  tiny.sha2_signed_data = Sha2SignedData{kHashSha512, Bytes(4, 0xaa)};
  tiny.sudi = SudiData{tiny.certificate->der, Bytes(3, 0xbb), Bytes(3, 0xcc)};
  EXPECT_EQ(WireHex(MakeAuthResponse(9, tiny).value()),
            "550200000009004c"
            "01000101"
            "07000103"
            "0b000100"
            "0d00084353464a444f4500"
            "04000a01000700013003020101"
            "060004dddddddd"
            "140007030004aaaaaaaa"
            "1000140000053003020101010003bbbbbb030003cccccc");
  std::vector<std::uint8_t> tags;
  for (const Element& e : m->elements) tags.push_back(e.tag);
  EXPECT_EQ(tags, (std::vector<std::uint8_t>{1, 7, 11, 13, 4, 6, 20, 16}));
  auto out = ParseAuthResponse(OverTheWire(*m));
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(*out, full);

  AuthResponse bare;
  bare.reason.reset();
  bare.version.reset();
  bare.device_name = "BOTJDOE";
  auto bare_message = MakeAuthResponse(2, bare);
  ASSERT_TRUE(bare_message.ok());
  EXPECT_EQ(bare_message->elements.size(), 2u);
  EXPECT_EQ(*ParseAuthResponse(*bare_message), bare);
}

TEST(Commands, AuthResponseErrorsNameTheElement) {
  AuthResponse nameless;
  EXPECT_THAT(MakeAuthResponse(1, nameless).message(), HasSubstr("device name is empty"));

  Message m;
  m.command = Command::kAuthResponse;
  m.AddU8(Tag::kReason, 1);
  EXPECT_EQ(ParseAuthResponse(m).message(), "AUTH_RESPONSE: no DEVICE_NAME (tag 13) element");
  m.AddText(Tag::kDeviceName, "");
  EXPECT_EQ(ParseAuthResponse(m).message(), "AUTH_RESPONSE: DEVICE_NAME (tag 13) is empty");
  m.elements.back() = Element{13, {'S', 'E', 'P', '\n', 0}};
  EXPECT_EQ(ParseAuthResponse(m).message(),
            "AUTH_RESPONSE: DEVICE_NAME (tag 13) has control character 10 at position 3");
  m.elements.back() = Element{13, {'S', 'E', 'P', 0}};
  EXPECT_TRUE(ParseAuthResponse(m).ok());

  Message bad_version = m;
  bad_version.Add(Tag::kVersion, Bytes{});
  EXPECT_THAT(ParseAuthResponse(bad_version).message(), HasSubstr("VERSION (tag 7) has length 0"));
  Message bad_cert = m;
  bad_cert.Add(Tag::kCertificate, Bytes{1, 0});
  EXPECT_THAT(ParseAuthResponse(bad_cert).message(), HasSubstr("AUTH_RESPONSE: CERTIFICATE:"));
  Message bad_sha2 = m;
  bad_sha2.Add(Tag::kSha2SignedData, Bytes{3, 0, 5, 1});
  EXPECT_THAT(ParseAuthResponse(bad_sha2).message(), HasSubstr("AUTH_RESPONSE: SHA2_SIGNED_DATA"));
  Message bad_sudi = m;
  bad_sudi.Add(Tag::kSudiData, Bytes{0, 0, 1});
  EXPECT_THAT(ParseAuthResponse(bad_sudi).message(), HasSubstr("AUTH_RESPONSE: SUDI_DATA"));
  Message empty_signed = m;
  empty_signed.Add(Tag::kSignedData, Bytes{});
  EXPECT_THAT(ParseAuthResponse(empty_signed).message(), HasSubstr("SIGNED_DATA (tag 6) is empty"));

  Message wrong = MakeEndSession(1, {});
  EXPECT_EQ(ParseAuthResponse(wrong).message(), "expected AUTH_RESPONSE, got END_SESSION");
}

TEST(Commands, KeyGenResponseCarriesAKeyOrAReason) {
  KeyGenResponse ok{Blob(294, 9), std::nullopt};
  auto m = MakeKeyGenResponse(1, ok);
  ASSERT_TRUE(m.ok()) << m.message();
  auto out = ParseKeyGenResponse(OverTheWire(*m));
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_TRUE(out->ok());
  EXPECT_EQ(*out, ok);

  KeyGenResponse failed{{}, Reason::kInvalidElement};
  auto f = MakeKeyGenResponse(1, failed);
  ASSERT_TRUE(f.ok()) << f.message();
  EXPECT_EQ(WireHex(*f), "550400000001000401000107");
  auto back = ParseKeyGenResponse(OverTheWire(*f));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->ok());
  EXPECT_EQ(*back, failed);

  EXPECT_FALSE(MakeKeyGenResponse(1, {}).ok());
  EXPECT_FALSE(MakeKeyGenResponse(1, {Bytes(kMaxBody, 1), std::nullopt}).ok());
  Message neither;
  neither.command = Command::kKeyGenResponse;
  EXPECT_THAT(ParseKeyGenResponse(neither).message(),
              HasSubstr("neither PUBLIC_KEY (tag 9) nor REASON (tag 1)"));
  neither.Add(Tag::kPublicKey, Bytes{});
  EXPECT_THAT(ParseKeyGenResponse(neither).message(), HasSubstr("PUBLIC_KEY (tag 9) is empty"));
  EXPECT_FALSE(ParseKeyGenResponse(MakeRequestInProgress(1)).ok());
}

TEST(Commands, ReasonRepliesRoundTrip) {
  EXPECT_EQ(WireHex(MakeStoreCertResponse(1, Reason::kOk)), "550a00000001000401000101");
  for (Reason r : {Reason::kOk, Reason::kInvalidElement, static_cast<Reason>(200)}) {
    EXPECT_EQ(*ParseStoreCertResponse(OverTheWire(MakeStoreCertResponse(4, r))), r);
    EXPECT_EQ(*ParseDeleteCertResponse(OverTheWire(MakeDeleteCertResponse(4, r))), r);
  }
  Message no_reason;
  no_reason.command = Command::kDeleteCertResponse;
  EXPECT_EQ(ParseDeleteCertResponse(no_reason).message(),
            "DELETE_CERT_RESPONSE: no REASON (tag 1) element");
  EXPECT_EQ(ParseStoreCertResponse(MakeDeleteCertResponse(1, Reason::kOk)).message(),
            "expected STORE_CERT_RESPONSE, got DELETE_CERT_RESPONSE");
}

TEST(Commands, FetchCertResponseRoundTrips) {
  FetchCertResponse with{Reason::kOk, WrappedCertificate{CertType::kLsc, Blob(500, 2)}};
  auto m = MakeFetchCertResponse(8, with);
  ASSERT_TRUE(m.ok()) << m.message();
  EXPECT_EQ(m->elements[0].tag, static_cast<std::uint8_t>(Tag::kReason));
  EXPECT_EQ(*ParseFetchCertResponse(OverTheWire(*m)), with);
  FetchCertResponse tiny{Reason::kOk, WrappedCertificate{CertType::kLsc, Bytes{0x30, 3, 2, 1, 1}}};
  EXPECT_EQ(WireHex(MakeFetchCertResponse(9, tiny).value()),
            "550c0000000900110100010104000a01000700013003020101");
  FetchCertResponse without{Reason::kNoAction, std::nullopt};
  EXPECT_EQ(*ParseFetchCertResponse(OverTheWire(MakeFetchCertResponse(8, without).value())),
            without);
  Message broken = *m;
  broken.elements[1].value.pop_back();
  EXPECT_THAT(ParseFetchCertResponse(broken).message(),
              HasSubstr("FETCH_CERT_RESPONSE: CERTIFICATE: wrapper length"));
}

}  // namespace
}  // namespace opencapf::capf
