// The load generator against an in-process CAPF server: every session counted, failures sorted
// by reason, the pool used; device names made and read.
#include "phone/load.h"

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "phone/test_server.h"
#include "service/data_dir.h"

namespace opencapf::phone {
namespace {

pki::Certificate Capf(testing::TestServer& h) {
  auto cert = pki::Certificate::Load(service::DataDir(h.base / "data").certificate(service::kCapf));
  if (!cert.ok()) throw std::runtime_error(cert.message());
  return *cert;
}

TEST(Load, RunsEverySessionAndSortsFailuresByReason) {
  testing::TestServer h("load");
  auto names = GeneratedDeviceNames("SEP00AA", 12);
  ASSERT_TRUE(names.ok()) << names.message();
  for (int i = 0; i < 10; ++i) h.Schedule((*names)[static_cast<std::size_t>(i)]);
  // The last two are not in the store: END_SESSION 9.
  LoadOptions o;
  o.capf = HostPort{"127.0.0.1", h.services->capf_port()};
  o.capf_certificate = Capf(h);
  o.devices = *names;
  o.concurrency = 4;
  o.key_pool = 3;
  o.timeout = std::chrono::seconds(20);
  auto report = RunLoad(o);
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->sessions, 12);
  EXPECT_EQ(report->ok, 10);
  EXPECT_EQ(report->errors, 2);
  EXPECT_EQ(report->errors_by_reason.at("END_SESSION 9: unknown device"), 2);
  EXPECT_EQ(report->pool_keys, 3);
  EXPECT_EQ(report->keys_generated_during, 0);
  EXPECT_GT(report->p99_ms, 0);
  EXPECT_LE(report->p50_ms, report->p90_ms);
  EXPECT_EQ(h.Get((*names)[0]).operation_status, store::kStatusUpgradeSuccess);

  const auto j = nlohmann::json::parse(LoadJson(*report));
  EXPECT_EQ(j["sessions"], 12);
  EXPECT_EQ(j["ok"], 10);
  EXPECT_EQ(j["errors"], 2);
  EXPECT_TRUE(j["rate_per_s"].is_number());
  EXPECT_TRUE(j["latency_ms"]["p50"].is_number());
  EXPECT_TRUE(j["latency_ms"]["p90"].is_number());
  EXPECT_TRUE(j["latency_ms"]["p99"].is_number());
  EXPECT_EQ(j["errors_by_reason"]["END_SESSION 9: unknown device"], 2);
  EXPECT_EQ(j["succeeded"].size(), 10u);  // the scheduled ten, by name
  EXPECT_EQ(j.size(), 7u);
  EXPECT_NE(LoadText(*report, o).find("sessions/s"), std::string::npos);
}

TEST(Load, AServerWithAnotherCertificateIsNotTalkedTo) {
  testing::TestServer h("load-pin");
  h.Schedule("SEP00AA00000001");
  LoadOptions o;
  o.capf = HostPort{"127.0.0.1", h.services->capf_port()};
  // Not what the server presents: the TVS certificate.
  o.capf_certificate =
      *pki::Certificate::Load(service::DataDir(h.base / "data").certificate(service::kTvs));
  o.devices = {"SEP00AA00000001"};
  o.key = {pki::KeyAlgorithm::kEc, 256};
  auto report = RunLoad(o);
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->errors_by_reason.at("server certificate does not match --capf-cert"), 1);
  EXPECT_EQ(h.Get("SEP00AA00000001").operation_status, store::kStatusPending);
}

TEST(Load, DeviceNames) {
  auto names = GeneratedDeviceNames("sep00aa", 200);
  ASSERT_TRUE(names.ok()) << names.message();
  EXPECT_EQ(names->front(), "SEP00AA00000001");
  EXPECT_EQ(names->back(), "SEP00AA000000C8");
  EXPECT_FALSE(GeneratedDeviceNames("SEP001122334455", 2).ok()) << "no digit left";
  EXPECT_FALSE(GeneratedDeviceNames("SEP0011223344A", 17).ok()) << "one hex digit: 15 phones";
  EXPECT_TRUE(GeneratedDeviceNames("SEP0011223344A", 15).ok());
  auto soft = GeneratedDeviceNames("CSFLOAD", 3);
  ASSERT_TRUE(soft.ok());
  EXPECT_EQ((*soft)[2], "CSFLOAD3");

  const auto path = std::filesystem::temp_directory_path() /
                    ("opencapf-devices-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path) << "name,operation\nSEP001122334455,install\n\n# a comment\n"
                         "sep0011223344aa,install\n";
  auto read = ReadDeviceNames(path);
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(*read, (std::vector<std::string>{"SEP001122334455", "SEP0011223344AA"}));
  std::ofstream(path) << "SEP001122334455\nnot-a-phone\n";
  auto bad = ReadDeviceNames(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("line 2"), std::string::npos) << bad.message();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace opencapf::phone
