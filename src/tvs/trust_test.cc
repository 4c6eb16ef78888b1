// The trust store as TVS reads it: entries made from certificates, opencapf's own certificates
// seeded at init/serve, and the running server's copy following changes made elsewhere.
#include "tvs/trust.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pki/issuer.h"
#include "store/sqlite_store.h"
#include "tvs/transcript.h"

namespace opencapf::tvs {
namespace {

using store::TrustSource;
using ::testing::HasSubstr;

constexpr std::time_t k2027 = 1'798'761'600;  // 2027-01-01T00:00:00Z

pki::Certificate Issue(const std::string& cn, std::time_t not_before, std::time_t not_after) {
  pki::CertificateProfile p;
  p.subject = {{"CN", cn}, {"O", "Test"}};
  p.not_before = not_before;
  p.not_after = not_after;
  auto pair = pki::SelfSigned({pki::KeyAlgorithm::kEc, 256}, p);
  EXPECT_TRUE(pair.ok()) << pair.message();
  return pair->certificate;
}

class TvsTrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("opencapf-tvs-trust-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = Open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<store::Store> Open() {
    auto opened = store::OpenSqliteStore(dir_ / "opencapf.db", clock_);
    EXPECT_TRUE(opened.ok()) << opened.message();
    return std::move(*opened);
  }
  pki::Certificate Known() {
    auto cert = pki::Certificate::Load(testing::TvsVector("known.crt"));
    EXPECT_TRUE(cert.ok()) << cert.message();
    return *cert;
  }

  FakeClock clock_{k2027};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(TvsTrustTest, EntriesAreKeyedByTheSha256OfTheDer) {
  const pki::Certificate known = Known();
  EXPECT_EQ(Sha256Hex(known.der()),
            "097f43a013723f9baf69d3522d4a3358924d0985650ab5e003bfc7c31e81cf69");
  auto entry = MakeTrusted(known, {1, 3}, 600);
  EXPECT_EQ(entry.sha256, Sha256Hex(known.der()));
  EXPECT_EQ(entry.subject, "CN=pub1,OU=Lab,O=Example Telecom,L=Boxborough,ST=MA,C=US");
  EXPECT_EQ(entry.der, known.der());
  EXPECT_EQ(entry.not_after, known.not_after());
  EXPECT_EQ(entry.ttl, 600u);
  EXPECT_EQ(entry.source, TrustSource::kAdmin);
  EXPECT_EQ(RoleList({1, 3}), "CCM, TFTP");
  EXPECT_EQ(RoleList({}), "none");
}

TEST_F(TvsTrustTest, AnswersFollowTheStoreAndTheClock) {
  const pki::Certificate known = Known();
  TrustCache cache(*store_, clock_);
  Answer unknown = cache.Check(known.der());
  EXPECT_EQ(unknown.response, VerifyResponse{});
  EXPECT_EQ(unknown.reason, "not in the trust store");

  // Trusted through another connection to the same file, as `opencapf trust add` does.
  auto cli = Open();
  ASSERT_TRUE(cli->PutTrusted(MakeTrusted(known, {1, 3})).ok());
  Answer valid = cache.Check(known.der());
  EXPECT_EQ(valid.response, (VerifyResponse{Verdict::kValid, {1, 3}, 86400}));
  EXPECT_THAT(valid.reason, HasSubstr("trusted (admin) for CCM, TFTP until 2036-11-24"));
  EXPECT_EQ(valid.subject, known.Subject());
  const auto generation = cache.generation();

  // Nothing changed: the copy is not reloaded.
  (void)cache.Check(known.der());
  EXPECT_EQ(cache.generation(), generation);

  ASSERT_TRUE(cli->RemoveTrusted(Sha256Hex(known.der())).ok());
  EXPECT_EQ(cache.Check(known.der()).response.status, Verdict::kInvalid);
  EXPECT_NE(cache.generation(), generation);
}

TEST_F(TvsTrustTest, ExpiredAndNotYetValidCertificatesAreInvalidAndTtlStopsAtExpiry) {
  const pki::Certificate soon = Issue("soon", k2027 - 3600, k2027 + 100);
  const pki::Certificate later = Issue("later", k2027 + 3600, k2027 + 86400 * 10);
  ASSERT_TRUE(store_->PutTrusted(MakeTrusted(soon, {3})).ok());
  ASSERT_TRUE(store_->PutTrusted(MakeTrusted(later, {3})).ok());
  TrustCache cache(*store_, clock_);

  Answer short_lived = cache.Check(soon.der());
  EXPECT_EQ(short_lived.response.status, Verdict::kValid);
  EXPECT_EQ(short_lived.response.ttl, 100u) << "a phone must not cache past the expiry";
  EXPECT_THAT(short_lived.reason, HasSubstr("TTL cut to the certificate's expiry"));

  Answer early = cache.Check(later.der());
  EXPECT_EQ(early.response.status, Verdict::kInvalid);
  EXPECT_THAT(early.reason, HasSubstr("not valid before"));

  clock_.Advance(3601);
  Answer expired = cache.Check(soon.der());
  EXPECT_EQ(expired.response, VerifyResponse{});
  EXPECT_THAT(expired.reason, HasSubstr("expired on"));
  EXPECT_EQ(cache.Check(later.der()).response.status, Verdict::kValid);
}

TEST_F(TvsTrustTest, SeedingTheServiceCertificatesIsIdempotentAndReplacesOldOnes) {
  const pki::Certificate ccm = Issue("pub1", k2027 - 60, k2027 + 86400 * 365);
  const pki::Certificate capf = Issue("CAPF-11111111", k2027 - 60, k2027 + 86400 * 365);
  const pki::Certificate tvs = Issue("pub1-tvs", k2027 - 60, k2027 + 86400 * 365);
  const std::vector<ServiceCertificate> service = {{ccm, {2}}, {capf, {4}}, {tvs, {21}}};
  ASSERT_TRUE(SeedServiceTrust(*store_, service).ok());
  const auto generation = *store_->TrustGeneration();
  ASSERT_TRUE(SeedServiceTrust(*store_, service).ok());
  EXPECT_EQ(*store_->TrustGeneration(), generation) << "a restart is not a change";

  auto list = store_->ListTrusted();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  for (const auto& e : *list) {
    EXPECT_EQ(e.source, TrustSource::kService) << e.subject;
    EXPECT_EQ(e.ttl, store::kDefaultTrustTtl);
  }

  // A regenerated CAPF certificate replaces the old one; the same certificate given for two
  // roles is one entry with both.
  const pki::Certificate capf2 = Issue("CAPF-22222222", k2027 - 60, k2027 + 86400 * 365);
  ASSERT_TRUE(SeedServiceTrust(*store_, {{ccm, {2}}, {capf2, {4}}, {ccm, {21}}}).ok());
  TrustCache cache(*store_, clock_);
  EXPECT_EQ(cache.Check(capf.der()).response.status, Verdict::kInvalid);
  EXPECT_EQ(cache.Check(capf2.der()).response.roles, (std::vector<std::uint8_t>{4}));
  EXPECT_EQ(cache.Check(ccm.der()).response.roles, (std::vector<std::uint8_t>{2, 21}));
  EXPECT_EQ(cache.Check(tvs.der()).response.status, Verdict::kInvalid)
      << "the CallManager certificate now holds the TVS role";
}

}  // namespace
}  // namespace opencapf::tvs
