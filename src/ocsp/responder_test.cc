// The responder's answers, read back by OpenSSL's client code.
#include "ocsp/responder.h"

#include <openssl/ocsp.h>

#include <gtest/gtest.h>

#include "pki/ocsp_test_client.h"

namespace opencapf::ocsp {
namespace {

using pki::testing::Ca;
using pki::testing::ClientRequest;
using pki::testing::Leaf;
using pki::testing::ReadResponse;

TEST(ResponderTest, GoodRevokedAndUnknown) {
  FakeClock clock(1'800'000'000);
  auto capf = Ca("CAPF-1");
  auto other = Ca("Other-CA");
  auto good = Leaf(capf, "SEP000000000001");
  auto revoked = Leaf(capf, "SEP000000000002");
  auto foreign = Leaf(other, "SEP000000000003");
  Responder responder(clock, 600);
  EXPECT_EQ(ReadResponse(responder.Respond(ClientRequest(good, capf.certificate)).response, capf)
                .response_status,
            OCSP_RESPONSE_STATUS_TRYLATER);

  responder.Update({{capf.certificate, capf.key, {{revoked.SerialBytes(), clock.Now() - 60, 4}}}});
  auto g = ReadResponse(responder.Respond(ClientRequest(good, capf.certificate)).response, capf);
  EXPECT_TRUE(g.verified);
  EXPECT_EQ(g.status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(g.next_update - g.this_update, 600);

  auto r = ReadResponse(responder.Respond(ClientRequest(revoked, capf.certificate)).response, capf);
  EXPECT_TRUE(r.verified);
  EXPECT_EQ(r.status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(r.reason, 4);
  EXPECT_EQ(r.revoked_at, clock.Now() - 60);

  // Another CA's certificate, asked about with its own issuer: unknown (RFC 6960 §2.2: an issuer
  // this responder does not serve), signed by our CAPF key — which a client does not take as
  // authoritative for that issuer, so it can never read this as "good" either.
  auto u =
      ReadResponse(responder.Respond(ClientRequest(foreign, other.certificate)).response, capf);
  EXPECT_EQ(u.response_status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_EQ(u.status, V_OCSP_CERTSTATUS_UNKNOWN);
  EXPECT_FALSE(u.verified);
}

TEST(ResponderTest, EachCapfCertificateSignsForItsOwnLscs) {
  FakeClock clock(1'800'000'000);
  auto current = Ca("CAPF-1");
  auto earlier = Ca("CAPF-1");  // regenerated: same name, another key
  auto mine = Leaf(current, "SEP000000000001");
  auto old = Leaf(earlier, "SEP000000000002");
  Responder responder(clock, 600);
  responder.Update({{current.certificate, current.key, {}},
                    {earlier.certificate, earlier.key, {{old.SerialBytes(), clock.Now(), 0}}}});
  auto a =
      ReadResponse(responder.Respond(ClientRequest(mine, current.certificate)).response, current);
  EXPECT_TRUE(a.verified);
  EXPECT_EQ(a.status, V_OCSP_CERTSTATUS_GOOD);
  auto b =
      ReadResponse(responder.Respond(ClientRequest(old, earlier.certificate)).response, earlier);
  EXPECT_TRUE(b.verified);
  EXPECT_EQ(b.status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(b.reason, -1);  // unspecified is written without a reason
  // The earlier key's answer does not verify as the current certificate's.
  EXPECT_FALSE(
      ReadResponse(responder.Respond(ClientRequest(old, earlier.certificate)).response, current)
          .verified);
}

TEST(ResponderTest, AnUpdateChangesTheNextAnswerEvenWhenCached) {
  FakeClock clock(1'800'000'000);
  auto capf = Ca("CAPF-1");
  auto leaf = Leaf(capf, "SEP000000000001");
  Responder responder(clock, 600);
  responder.Update({{capf.certificate, capf.key, {}}});
  const Bytes request = ClientRequest(leaf, capf.certificate);  // no nonce: cacheable
  auto first = responder.Respond(request);
  EXPECT_FALSE(first.cached);
  auto second = responder.Respond(request);
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(second.response, first.response);
  EXPECT_EQ(ReadResponse(second.response, capf).status, V_OCSP_CERTSTATUS_GOOD);

  responder.Update({{capf.certificate, capf.key, {{leaf.SerialBytes(), clock.Now(), 5}}}});
  auto after = responder.Respond(request);
  EXPECT_FALSE(after.cached);
  EXPECT_EQ(ReadResponse(after.response, capf).status, V_OCSP_CERTSTATUS_REVOKED);

  // A cached answer is given out for a tenth of its validity at most.
  clock.Advance(61);
  EXPECT_FALSE(responder.Respond(request).cached);
}

TEST(ResponderTest, NoncesAreEchoedAndNeverCached) {
  FakeClock clock(1'800'000'000);
  auto capf = Ca("CAPF-1");
  auto leaf = Leaf(capf, "SEP000000000001");
  Responder responder(clock, 600);
  responder.Update({{capf.certificate, capf.key, {}}});
  OCSP_REQUEST* kept = nullptr;
  const Bytes request = ClientRequest(leaf, capf.certificate, true, &kept);
  auto a = responder.Respond(request);
  auto b = responder.Respond(request);
  EXPECT_FALSE(b.cached);
  EXPECT_EQ(ReadResponse(a.response, capf, kept).nonce_check, 1);
  OCSP_REQUEST_free(kept);
}

TEST(ResponderTest, MalformedRequestsGetMalformedRequest) {
  FakeClock clock(1'800'000'000);
  auto capf = Ca("CAPF-1");
  Responder responder(clock, 600);
  responder.Update({{capf.certificate, capf.key, {}}});
  for (const Bytes& bad :
       {Bytes{}, Bytes{0x30, 0x00}, Bytes{0x30, 0x82, 0xff, 0xff, 0x01}, Bytes(300, 0x41)}) {
    auto a = responder.Respond(bad);
    EXPECT_EQ(a.response, (Bytes{0x30, 0x03, 0x0a, 0x01, 0x01}));
    EXPECT_FALSE(a.reason.empty());
  }
}

}  // namespace
}  // namespace opencapf::ocsp
