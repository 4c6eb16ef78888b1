// The TVS load generator against an in-process server: every verification counted, the answers
// sorted valid and invalid, the pin enforced, the JSON shape of `phone load`.
#include "phone/tvs_load.h"

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "phone/test_server.h"
#include "pki/issuer.h"
#include "service/data_dir.h"

namespace opencapf::phone {
namespace {

pki::Certificate Served(testing::TestServer& h, const char* which) {
  auto cert = pki::Certificate::Load(service::DataDir(h.base / "data").certificate(which));
  if (!cert.ok()) throw std::runtime_error(cert.message());
  return *cert;
}

TEST(TvsLoad, CountsEveryVerificationAndItsAnswer) {
  testing::TestServer h("tvs-load");
  TvsLoadOptions o;
  o.tvs = HostPort{"127.0.0.1", h.services->tvs_port()};
  o.tvs_certificate = Served(h, service::kTvs);
  o.certificate = Served(h, service::kCapf);  // opencapf's own CAPF certificate: trusted
  o.count = 30;
  o.concurrency = 6;
  o.timeout = std::chrono::seconds(20);
  auto report = RunTvsLoad(o);
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->load.sessions, 30);
  EXPECT_EQ(report->load.ok, 30);
  EXPECT_EQ(report->load.errors, 0);
  EXPECT_EQ(report->valid, 30);
  EXPECT_EQ(report->invalid, 0);
  EXPECT_GT(report->load.p99_ms, 0);
  EXPECT_LE(report->load.p50_ms, report->load.p90_ms);

  const auto j = nlohmann::json::parse(TvsLoadJson(*report));
  EXPECT_EQ(j["sessions"], 30);
  EXPECT_EQ(j["ok"], 30);
  EXPECT_EQ(j["errors"], 0);
  EXPECT_TRUE(j["rate_per_s"].is_number());
  EXPECT_TRUE(j["latency_ms"]["p99"].is_number());
  EXPECT_TRUE(j["errors_by_reason"].empty());
  EXPECT_EQ(j["verdicts"]["valid"], 30);
  EXPECT_FALSE(j.contains("succeeded"));
  EXPECT_NE(TvsLoadText(*report, o).find("verifications/s"), std::string::npos);

  // A certificate nobody trusts: answered, invalid.
  pki::CertificateProfile profile;
  profile.subject = {{"CN", "stranger"}};
  auto stranger = pki::SelfSigned({pki::KeyAlgorithm::kEc, 256}, profile);
  ASSERT_TRUE(stranger.ok());
  o.certificate = stranger->certificate;
  o.count = 5;
  report = RunTvsLoad(o);
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->load.ok, 5);
  EXPECT_EQ(report->invalid, 5);
}

TEST(TvsLoad, AServerWithAnotherCertificateIsNotAsked) {
  testing::TestServer h("tvs-load-pin");
  TvsLoadOptions o;
  o.tvs = HostPort{"127.0.0.1", h.services->tvs_port()};
  o.tvs_certificate = Served(h, service::kCapf);  // not what TVS presents
  o.certificate = Served(h, service::kCapf);
  o.count = 3;
  o.concurrency = 2;
  auto report = RunTvsLoad(o);
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->load.errors, 3);
  EXPECT_EQ(report->load.errors_by_reason.at("server certificate does not match --tvs-cert"), 3);
  EXPECT_EQ(report->valid + report->invalid, 0);
}

TEST(TvsLoad, RefusesOptionsItCannotRun) {
  TvsLoadOptions o;
  EXPECT_FALSE(RunTvsLoad(o).ok());  // no pin, no certificate
}

}  // namespace
}  // namespace opencapf::phone
