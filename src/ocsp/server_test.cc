// The responder on a real HTTP listener on loopback, asked as clients ask.
#include "ocsp/server.h"

#include <openssl/evp.h>
#include <openssl/ocsp.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include "pki/ocsp_test_client.h"

namespace opencapf::ocsp {
namespace {

using pki::testing::Ca;
using pki::testing::ClientRequest;
using pki::testing::Leaf;
using pki::testing::ReadResponse;

std::string Base64(const Bytes& der) {
  std::string out(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), der.data(),
                                static_cast<int>(der.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string UrlEncode(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '+' || c == '/' || c == '=') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

Bytes Body(const httplib::Result& r) { return Bytes(r->body.begin(), r->body.end()); }

class OcspServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    responder = std::make_shared<Responder>(SystemClock::Instance(), 600);
    responder->Update(
        {{capf.certificate, capf.key, {{revoked.SerialBytes(), std::time(nullptr) - 5, 1}}}});
    ServerSettings settings;
    settings.address = "127.0.0.1";
    settings.max_request = 4096;
    auto s = Server::Listen(responder, settings, &metrics);
    ASSERT_TRUE(s.ok()) << s.message();
    server = std::move(*s);
    server->Start();
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
  }

  httplib::Result Post(const Bytes& body) {
    return client->Post("/", std::string(body.begin(), body.end()), "application/ocsp-request");
  }

  pki::KeyAndCertificate capf = Ca("CAPF-1");
  pki::Certificate good = Leaf(capf, "SEP000000000001");
  pki::Certificate revoked = Leaf(capf, "SEP000000000002");
  Metrics metrics;
  std::shared_ptr<Responder> responder;
  std::unique_ptr<Server> server;
  std::unique_ptr<httplib::Client> client;
};

TEST_F(OcspServerTest, PostAndGetForms) {
  OCSP_REQUEST* kept = nullptr;
  auto r = Post(ClientRequest(good, capf.certificate, true, &kept));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/ocsp-response");
  auto v = ReadResponse(Body(r), capf, kept);
  OCSP_REQUEST_free(kept);
  EXPECT_TRUE(v.verified);
  EXPECT_TRUE(v.times_valid);
  EXPECT_EQ(v.nonce_check, 1);
  EXPECT_EQ(v.status, V_OCSP_CERTSTATUS_GOOD);

  // GET, encoded as RFC 6960 A.1 asks, bare, and under a path of the responder's URL.
  const std::string b64 = Base64(ClientRequest(revoked, capf.certificate));
  for (const std::string& path : {"/" + UrlEncode(b64), "/" + b64, "/ocsp/" + UrlEncode(b64)}) {
    auto g = client->Get(path);
    ASSERT_TRUE(g) << path;
    EXPECT_EQ(g->status, 200) << path;
    auto gv = ReadResponse(Body(g), capf);
    EXPECT_TRUE(gv.verified) << path;
    EXPECT_EQ(gv.status, V_OCSP_CERTSTATUS_REVOKED) << path;
    EXPECT_EQ(gv.reason, 1) << path;
  }
  EXPECT_GE(metrics.Value("opencapf_ocsp_answers_total", {{"status", "revoked"}}), 3);
}

TEST_F(OcspServerTest, BadRequestsGetCleanAnswersAndTheServerKeepsServing) {
  auto malformed = Post(Bytes{0x30, 0x03, 0x02, 0x01});
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 200);
  EXPECT_EQ(Body(malformed), (Bytes{0x30, 0x03, 0x0a, 0x01, 0x01}));

  auto empty = Post({});
  ASSERT_TRUE(empty);
  EXPECT_EQ(Body(empty), (Bytes{0x30, 0x03, 0x0a, 0x01, 0x01}));

  auto oversized = Post(Bytes(8192, 0x30));
  ASSERT_TRUE(oversized);
  EXPECT_EQ(oversized->status, 413);

  auto not_base64 = client->Get("/not*base64");
  ASSERT_TRUE(not_base64);
  EXPECT_EQ(not_base64->status, 400);
  auto garbage_base64 = client->Get("/AAAA");
  ASSERT_TRUE(garbage_base64);
  EXPECT_EQ(Body(garbage_base64), (Bytes{0x30, 0x03, 0x0a, 0x01, 0x01}));

  auto after = Post(ClientRequest(good, capf.certificate));
  ASSERT_TRUE(after);
  EXPECT_EQ(ReadResponse(Body(after), capf).status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_GE(metrics.Value("opencapf_ocsp_requests_total", {{"result", "malformed"}}), 3);
  EXPECT_GE(metrics.Value("opencapf_ocsp_requests_total", {{"result", "refused"}}), 2);
}

TEST_F(OcspServerTest, APortInUseIsRefusedWithWhatToChange) {
  ServerSettings settings;
  settings.address = "127.0.0.1";
  settings.port = server->port();
  auto second = Server::Listen(responder, settings);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.message().find("[ocsp] port"), std::string::npos) << second.message();
}

}  // namespace
}  // namespace opencapf::ocsp
