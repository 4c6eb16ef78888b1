// OCSP requests as OpenSSL's client builds them, responses checked by OpenSSL's client verifier
// (what `openssl ocsp`, FreeRADIUS and ocserv run).
#include "pki/ocsp.h"

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <gtest/gtest.h>

#include "pki/ocsp_test_client.h"

namespace opencapf::pki {
namespace {

using testing::Ca;
using testing::ClientRequest;
using testing::Leaf;
using testing::ReadResponse;

TEST(OcspTest, ParsesWhatOpenSslClientsSend) {
  auto ca = Ca("CAPF-ocsp");
  auto a = Leaf(ca, "SEP000000000001");
  auto b = Leaf(ca, "SEP000000000002");
  for (const EVP_MD* md : {EVP_sha1(), EVP_sha256(), EVP_sha512()}) {
    auto req = ParseOcspRequest(ClientRequest({&a, &b}, ca.certificate, md, true));
    ASSERT_TRUE(req.ok()) << req.message();
    ASSERT_EQ(req->ids().size(), 2u);
    const Digest hash = req->ids()[0].hash;
    EXPECT_EQ(EVP_MD_get_type(DigestMd(hash)), EVP_MD_get_type(md));
    EXPECT_EQ(req->ids()[0].issuer_name_hash, OcspIssuerNameHash(ca.certificate, hash));
    EXPECT_EQ(req->ids()[0].issuer_key_hash, OcspIssuerKeyHash(ca.certificate, hash));
    EXPECT_EQ(req->ids()[0].serial, a.SerialBytes());
    EXPECT_EQ(req->ids()[1].serial, b.SerialBytes());
    ASSERT_TRUE(req->nonce().has_value());
    EXPECT_EQ(req->nonce()->size(), 16u);
  }
  auto plain = ParseOcspRequest(ClientRequest({&a}, ca.certificate, EVP_sha1(), false));
  ASSERT_TRUE(plain.ok()) << plain.message();
  EXPECT_FALSE(plain->nonce().has_value());
}

TEST(OcspTest, AnswersVerifyWithTheIssuerAndEchoTheNonce) {
  auto ca = Ca("CAPF-ocsp");
  auto good = Leaf(ca, "SEP000000000001");
  auto revoked = Leaf(ca, "SEP000000000002");
  auto unknown = Leaf(ca, "SEP000000000003");
  OCSP_REQUEST* client = nullptr;
  auto der = ClientRequest({&good, &revoked, &unknown}, ca.certificate, EVP_sha1(), true, &client);
  auto req = ParseOcspRequest(der);
  ASSERT_TRUE(req.ok()) << req.message();
  const std::time_t now = std::time(nullptr);
  const std::vector<OcspAnswer> answers = {{OcspStatus::kGood, 0, 0},
                                           {OcspStatus::kRevoked, now - 3600, 4},
                                           {OcspStatus::kUnknown, 0, 0}};
  auto resp = BuildOcspResponse(*req, answers, ca.certificate, ca.key, now, now + 600);
  ASSERT_TRUE(resp.ok()) << resp.message();
  auto c = ReadResponse(*resp, ca, client);
  OCSP_REQUEST_free(client);
  EXPECT_EQ(c.response_status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_TRUE(c.verified);
  EXPECT_TRUE(c.times_valid);
  EXPECT_EQ(c.nonce_check, 1);
  EXPECT_EQ(c.statuses, (std::vector<int>{V_OCSP_CERTSTATUS_GOOD, V_OCSP_CERTSTATUS_REVOKED,
                                          V_OCSP_CERTSTATUS_UNKNOWN}));
  EXPECT_EQ(c.reasons[1], 4);  // superseded
  EXPECT_EQ(c.revoked_times[1], now - 3600);
  EXPECT_EQ(c.next_update - c.this_update, 600);
}

TEST(OcspTest, AnotherKeyDoesNotVerify) {
  auto ca = Ca("CAPF-ocsp");
  auto impostor = Ca("CAPF-ocsp");  // same name, another key: a regenerated CAPF certificate
  auto leaf = Leaf(ca, "SEP000000000001");
  auto req = ParseOcspRequest(ClientRequest({&leaf}, ca.certificate, EVP_sha1(), false));
  ASSERT_TRUE(req.ok());
  const std::time_t now = std::time(nullptr);
  const std::vector<OcspAnswer> answers = {{OcspStatus::kGood, 0, 0}};
  auto resp = BuildOcspResponse(*req, answers, impostor.certificate, impostor.key, now, now + 60);
  ASSERT_TRUE(resp.ok());
  EXPECT_FALSE(ReadResponse(*resp, ca).verified);
  // The issuer hashes tell the two apart, so a responder picks the right key.
  EXPECT_EQ(OcspIssuerNameHash(ca.certificate, Digest::kSha1),
            OcspIssuerNameHash(impostor.certificate, Digest::kSha1));
  EXPECT_NE(OcspIssuerKeyHash(ca.certificate, Digest::kSha1),
            OcspIssuerKeyHash(impostor.certificate, Digest::kSha1));
}

TEST(OcspTest, RefusesMalformedRequests) {
  auto ca = Ca("CAPF-ocsp");
  auto leaf = Leaf(ca, "SEP000000000001");
  const Bytes good = ClientRequest({&leaf}, ca.certificate, EVP_sha1(), true);
  ASSERT_TRUE(ParseOcspRequest(good).ok());

  EXPECT_FALSE(ParseOcspRequest({}).ok());
  Bytes trailing = good;
  trailing.push_back(0);
  auto t = ParseOcspRequest(trailing);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.message().find("after its end"), std::string::npos) << t.message();
  // Every truncation, and every single-byte change, is refused or read whole; never a crash.
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(ParseOcspRequest(ByteView(good.data(), n)).ok()) << n;
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    Bytes changed = good;
    changed[i] ^= 0xff;
    (void)ParseOcspRequest(changed);
  }

  std::vector<Certificate> many;
  for (int i = 0; i < 3; ++i) many.push_back(Leaf(ca, "SEP00000000000" + std::to_string(i)));
  auto three = ClientRequest({&many[0], &many[1], &many[2]}, ca.certificate, EVP_sha1(), false);
  auto over = ParseOcspRequest(three, 2);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.message().find("at most 2"), std::string::npos) << over.message();

  // A hash algorithm with parameters other than NULL: OpenSSL reads it, and its own client code
  // could not read the response that echoed it (found by ocsp_request_fuzz: a constructed
  // tag 0, 20 00, where SHA-1's NULL goes).
  const Bytes odd_parameters = {
      0x30, 0x55, 0x30, 0x53, 0x30, 0x51, 0x30, 0x4f, 0x30, 0x4d, 0x30, 0x09, 0x06, 0x05, 0x2b,
      0x0e, 0x03, 0x02, 0x1a, 0x20, 0x00, 0x04, 0x14, 0x06, 0x1d, 0xcb, 0xde, 0x06, 0xea, 0xad,
      0x59, 0xa1, 0x95, 0xed, 0x19, 0x8b, 0x48, 0xa9, 0x4b, 0x13, 0x63, 0x25, 0x99, 0x04, 0x14,
      0xb2, 0x21, 0x1d, 0xd4, 0x34, 0x0d, 0x7e, 0x73, 0x71, 0xbc, 0xd1, 0xbb, 0xfa, 0x96, 0x3f,
      0x2f, 0x5a, 0x50, 0x46, 0x94, 0x02, 0x14, 0x65, 0xe0, 0x9e, 0x01, 0x37, 0x5f, 0x5c, 0xc3,
      0x02, 0xb4, 0x65, 0xe3, 0xa3, 0xa8, 0x49, 0xab, 0x5e, 0x43, 0x1d, 0xda};
  auto odd = ParseOcspRequest(odd_parameters);
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.message().find("absent or NULL"), std::string::npos) << odd.message();
  // The same request with NULL parameters (05 00) is read.
  Bytes null_parameters = odd_parameters;
  null_parameters[19] = 0x05;
  EXPECT_TRUE(ParseOcspRequest(null_parameters).ok())
      << ParseOcspRequest(null_parameters).message();

  // MD5 CertIDs are not read.
  auto md5 = ParseOcspRequest(ClientRequest({&leaf}, ca.certificate, EVP_md5(), false));
  ASSERT_FALSE(md5.ok());
  EXPECT_NE(md5.message().find("md5"), std::string::npos) << md5.message();
}

// The responder's threads also run TLS, whose SSL_get_error reads the thread's OpenSSL error
// queue, so a refused request leaves nothing there. A nonce that was not an OCTET STRING did (found
// by ocsp_request_fuzz: libFuzzer's leak check ran on every such input).
TEST(OcspTest, LeavesNothingOnOpenSslsErrorQueue) {
  auto ca = Ca("CAPF-ocsp");
  auto leaf = Leaf(ca, "SEP000000000001");
  const Bytes good = ClientRequest({&leaf}, ca.certificate, EVP_sha1(), true);
  ERR_clear_error();
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (const std::uint8_t flip : {0x01, 0xff}) {
      Bytes changed = good;
      changed[i] ^= flip;
      (void)ParseOcspRequest(changed);
      EXPECT_EQ(ERR_peek_error(), 0u) << "byte " << i << " ^ " << static_cast<int>(flip);
      ERR_clear_error();
    }
    (void)ParseOcspRequest(ByteView(good.data(), i));
    EXPECT_EQ(ERR_peek_error(), 0u) << "cut to " << i << " bytes";
    ERR_clear_error();
  }
}

TEST(OcspTest, NonceLimits) {
  auto ca = Ca("CAPF-ocsp");
  auto leaf = Leaf(ca, "SEP000000000001");
  for (int len : {1, 32, 33}) {
    OCSP_REQUEST* req = OCSP_REQUEST_new();
    OCSP_request_add0_id(req, OCSP_cert_to_id(EVP_sha1(), leaf.get(), ca.certificate.get()));
    std::vector<unsigned char> nonce(static_cast<std::size_t>(len), 0x5a);
    OCSP_request_add1_nonce(req, nonce.data(), len);
    unsigned char* out = nullptr;
    const int n = i2d_OCSP_REQUEST(req, &out);
    Bytes der(out, out + n);
    OPENSSL_free(out);
    OCSP_REQUEST_free(req);
    auto parsed = ParseOcspRequest(der);
    EXPECT_EQ(parsed.ok(), len <= 32) << len;
  }
}

TEST(OcspTest, FailureResponsesCarryOnlyTheirStatus) {
  const Bytes malformed = OcspFailureResponse(OcspFailure::kMalformedRequest);
  EXPECT_EQ(malformed, (Bytes{0x30, 0x03, 0x0a, 0x01, 0x01}));
  EXPECT_EQ(OcspFailureResponse(OcspFailure::kUnauthorized), (Bytes{0x30, 0x03, 0x0a, 0x01, 0x06}));
}

}  // namespace
}  // namespace opencapf::pki
