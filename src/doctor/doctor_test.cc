// The doctor's clock-dependent and store-dependent checks with a fake clock: certificate expiry,
// deadlines, authentication modes against what the phone can present, and the report's shapes.
// (The network checks against a running server are in tests/cli/phone_doctor_cli_test.sh.)
#include "doctor/doctor.h"

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pki/certificate.h"
#include "pki/issuer.h"
#include "service/data_dir.h"
#include "store/sqlite_store.h"

namespace opencapf::doctor {
namespace {

namespace fs = std::filesystem;

class DoctorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ =
        new fs::path(fs::temp_directory_path() / ("opencapf-doctor-" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    auto made = service::Init(service::DataDir(*dir_), {}, SystemClock::Instance());
    ASSERT_TRUE(made.ok()) << made.message();
    auto capf = pki::Certificate::Load(service::DataDir(*dir_).certificate(service::kCapf));
    ASSERT_TRUE(capf.ok());
    capf_not_after_ = capf->not_after();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    auto store = store::OpenSqliteStore(*dir_ / "opencapf.db", clock_);
    ASSERT_TRUE(store.ok()) << store.message();
    store_ = std::move(*store);
    auto devices = store_->List({});
    ASSERT_TRUE(devices.ok());
    for (const auto& d : *devices) ASSERT_TRUE(store_->Remove(d.name).ok());
  }

  DoctorOptions Options() {
    DoctorOptions o;
    o.data = *dir_;
    o.timeout = std::chrono::seconds(1);
    o.tftp = {phone::HostPort{"127.0.0.1", 9}};  // nothing answers: the TFTP check fails fast
    o.capf = phone::HostPort{"127.0.0.1", 9};
    o.tvs = phone::HostPort{"127.0.0.1", 9};
    return o;
  }

  Report Run(const DoctorOptions& o) {
    auto report = RunDoctor(o, clock_);
    EXPECT_TRUE(report.ok()) << report.message();
    return report.ok() ? *report : Report{};
  }

  // A copy: the reports are temporaries.
  static Finding Find(const Report& r, const std::string& check) {
    for (const auto& f : r.findings) {
      if (f.check == check) return f;
    }
    return Finding{};
  }

  void AddScheduled(const std::string& name, store::AuthMode auth, std::time_t complete_by) {
    store::Device d;
    d.name = name;
    d.operation = store::Operation::kInstall;
    d.auth = auth;
    d.complete_by = complete_by;
    d.operation_status = std::string(store::kStatusPending);
    ASSERT_TRUE(store_->Add(d).ok());
  }

  static fs::path* dir_;
  static std::time_t capf_not_after_;
  FakeClock clock_{std::time(nullptr)};
  std::unique_ptr<store::Store> store_;
};

fs::path* DoctorTest::dir_ = nullptr;
std::time_t DoctorTest::capf_not_after_ = 0;

TEST_F(DoctorTest, CapfCertificateExpiryFollowsTheClock) {
  const Finding ok = Find(Run(Options()), "capf-certificate");
  ASSERT_FALSE(ok.check.empty());
  EXPECT_EQ(ok.level, Level::kOk) << ok.summary;

  clock_.Set(capf_not_after_ - 30 * 86400);
  const Report soon = Run(Options());
  const Finding warn = Find(soon, "capf-certificate");
  ASSERT_FALSE(warn.check.empty());
  EXPECT_EQ(warn.level, Level::kWarn) << warn.summary;
  EXPECT_NE(warn.summary.find("60-day warning"), std::string::npos) << warn.summary;
  EXPECT_NE(warn.fix.find("new ITLFile.tlv"), std::string::npos) << warn.fix;
  EXPECT_NE(warn.fix.find("reissued"), std::string::npos) << warn.fix;

  DoctorOptions shorter = Options();
  shorter.expiry_warn_days = 10;
  EXPECT_EQ(Find(Run(shorter), "capf-certificate").level, Level::kOk);

  clock_.Set(capf_not_after_ + 86400);
  const Finding expired = Find(Run(Options()), "capf-certificate");
  EXPECT_EQ(expired.level, Level::kFail);
  EXPECT_NE(expired.summary.find("expired"), std::string::npos) << expired.summary;
}

TEST_F(DoctorTest, APassedDeadlineIsNamedWithWhatThePhoneShows) {
  AddScheduled("SEP001122334455", store::AuthMode::kNullString, clock_.Now() + 3600 * 3);
  DoctorOptions o = Options();
  o.device = "sep001122334455";
  EXPECT_EQ(Find(Run(o), "device SEP001122334455 deadline").level, Level::kOk);

  clock_.Advance(3600 * 3 - 600);  // ten minutes left
  const Finding soon = Find(Run(o), "device SEP001122334455 deadline");
  EXPECT_EQ(soon.level, Level::kWarn);

  clock_.Advance(1200);  // ten minutes past
  const Report late = Run(o);
  const Finding f = Find(late, "device SEP001122334455 deadline");
  ASSERT_FALSE(f.check.empty());
  EXPECT_EQ(f.level, Level::kFail);
  EXPECT_NE(f.summary.find("Operation Completes By"), std::string::npos) << f.summary;
  EXPECT_NE(f.cause.find("User Initiated Request Late/Timedout"), std::string::npos) << f.cause;
  EXPECT_NE(f.fix.find("--complete-by +1h"), std::string::npos) << f.fix;
  EXPECT_EQ(late.ExitCode(), 1);
}

TEST_F(DoctorTest, ExistingLscWithOnlyAMicAndNoManufacturingCaIsAModeMismatch) {
  AddScheduled("SEP0011223344AA", store::AuthMode::kExistingLsc, clock_.Now() + 7200);
  DoctorOptions o = Options();
  o.device = "SEP0011223344AA";
  const Finding f = Find(Run(o), "device SEP0011223344AA auth");
  ASSERT_FALSE(f.check.empty());
  EXPECT_EQ(f.level, Level::kFail);
  EXPECT_NE(f.summary.find("no LSC is on record"), std::string::npos) << f.summary;
  EXPECT_NE(f.summary.find("no manufacturing CA"), std::string::npos) << f.summary;
  EXPECT_NE(f.fix.find("--auth null-string"), std::string::npos) << f.fix;
  // No cnf.xml was written for it either.
  EXPECT_EQ(Find(Run(o), "device SEP0011223344AA cnf").level, Level::kWarn);
}

TEST_F(DoctorTest, AnUnknownDeviceAndTheListSummary) {
  DoctorOptions o = Options();
  o.device = "SEP00000000BEEF";
  const Finding f = Find(Run(o), "device SEP00000000BEEF");
  ASSERT_FALSE(f.check.empty());
  EXPECT_EQ(f.level, Level::kFail);
  EXPECT_NE(f.fix.find("opencapf device add SEP00000000BEEF"), std::string::npos);

  AddScheduled("SEP001122334455", store::AuthMode::kNullString, clock_.Now() + 7200);
  const Report all = Run(Options());
  const Finding summary = Find(all, "devices");
  ASSERT_FALSE(summary.check.empty());
  EXPECT_NE(summary.summary.find("1 phones checked"), std::string::npos) << summary.summary;
}

TEST_F(DoctorTest, EncryptedConfigWithoutAnRsaCertificateIsAWarningWithTheFix) {
  auto with = [&](const std::string& name, bool encrypted, const char* lsc_key) {
    store::Device d{.name = name, .encrypted_config = encrypted};
    if (lsc_key != nullptr) {
      auto key = pki::KeySpec::Parse(lsc_key);
      ASSERT_TRUE(key.ok());
      pki::CertificateProfile profile;
      profile.subject = {{"CN", name}};
      auto made = pki::SelfSigned(*key, profile);
      ASSERT_TRUE(made.ok()) << made.message();
      d.lsc_status = store::LscStatus::kInstalled;
      d.lsc = store::StoredCertificate{.pem = made->certificate.ToPem(),
                                       .serial_hex = "01",
                                       .not_after = made->certificate.not_after()};
    }
    ASSERT_TRUE(store_->Add(d).ok());
  };
  with("SEP0000000000E1", true, "ec:256");
  with("SEP0000000000E2", true, nullptr);
  with("SEP0000000000E3", true, "rsa:2048");
  with("SEP0000000000E4", false, "ec:256");

  const Report all = Run(Options());
  const Finding ec = Find(all, "device SEP0000000000E1 encrypted-config");
  ASSERT_FALSE(ec.check.empty());
  EXPECT_EQ(ec.level, Level::kWarn);
  EXPECT_EQ(ec.summary,
            "Encrypted Configuration is on, but its LSC is EC: an encrypted configuration needs "
            "an RSA key; schedule Install/Upgrade with key order RSA Only");
  EXPECT_NE(ec.cause.find("served only encrypted to an RSA key"), std::string::npos) << ec.cause;
  EXPECT_NE(ec.fix.find("opencapf device set SEP0000000000E1 --operation install --key-order rsa"),
            std::string::npos)
      << ec.fix;
  EXPECT_NE(ec.fix.find("--encrypted-config off"), std::string::npos) << ec.fix;
  const Finding none = Find(all, "device SEP0000000000E2 encrypted-config");
  EXPECT_EQ(none.level, Level::kWarn);
  EXPECT_NE(none.summary.find("no LSC or MIC yet"), std::string::npos) << none.summary;
  EXPECT_TRUE(Find(all, "device SEP0000000000E3 encrypted-config").check.empty()) << "fine";
  EXPECT_TRUE(Find(all, "device SEP0000000000E4 encrypted-config").check.empty()) << "off";

  DoctorOptions one = Options();
  one.device = "SEP0000000000E3";
  const Finding rsa = Find(Run(one), "device SEP0000000000E3 encrypted-config");
  EXPECT_EQ(rsa.level, Level::kOk);
  EXPECT_NE(rsa.summary.find("encrypted to its RSA LSC"), std::string::npos) << rsa.summary;
}

TEST_F(DoctorTest, DownServicesAreFailuresWithTheFix) {
  const Report r = Run(Options());
  const Finding capf = Find(r, "capf");
  ASSERT_FALSE(capf.check.empty());
  EXPECT_EQ(capf.level, Level::kFail);
  EXPECT_NE(capf.summary.find("CAPF is down"), std::string::npos) << capf.summary;
  EXPECT_NE(capf.cause.find("LSC: Connection failed"), std::string::npos) << capf.cause;
  const Finding tftp = Find(r, "tftp 127.0.0.1:9");
  ASSERT_FALSE(tftp.check.empty());
  EXPECT_EQ(tftp.level, Level::kFail);
}

TEST_F(DoctorTest, AnEmptyTrustStoreMeansTvsKnowsNothing) {
  auto trusted = store_->ListTrusted();
  ASSERT_TRUE(trusted.ok());
  for (const auto& t : *trusted) ASSERT_TRUE(store_->RemoveTrusted(t.sha256).ok());
  const Report r = Run(Options());
  const Finding trust = Find(r, "tvs-trust");
  ASSERT_FALSE(trust.check.empty());
  EXPECT_EQ(trust.level, Level::kFail);
  EXPECT_NE(trust.summary.find("TVS does not know the CallManager/TFTP certificate"),
            std::string::npos)
      << trust.summary;
  EXPECT_NE(trust.fix.find("opencapf trust add"), std::string::npos) << trust.fix;
}

TEST_F(DoctorTest, TextAndJsonCarryTheSameFindings) {
  const Report r = Run(Options());
  const std::string text = ReportText(r);
  EXPECT_NE(text.find("FAIL capf: CAPF is down"), std::string::npos) << text;
  EXPECT_NE(text.find("      cause: "), std::string::npos);
  EXPECT_NE(text.find("      fix:   "), std::string::npos);
  const auto j = nlohmann::json::parse(ReportJson(r));
  ASSERT_EQ(j["checks"].size(), r.findings.size());
  EXPECT_EQ(j["fail"], r.Count(Level::kFail));
  EXPECT_EQ(j["checks"][0]["check"], r.findings[0].check);
  EXPECT_TRUE(j["checks"][0]["status"] == "OK" || j["checks"][0]["status"] == "WARN" ||
              j["checks"][0]["status"] == "FAIL");
}

TEST(Doctor, RefusesWhatIsNotADataDirectory) {
  DoctorOptions o;
  o.data = "/nonexistent/opencapf";
  auto r = RunDoctor(o, SystemClock::Instance());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("not an opencapf data directory"), std::string::npos);
}

}  // namespace
}  // namespace opencapf::doctor
