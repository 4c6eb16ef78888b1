#include "service/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/clock.h"
#include "service/data_dir.h"

namespace opencapf::service {
namespace {

std::filesystem::path Temp(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("opencapf-config-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

TEST(Config, TheWrittenDefaultsReadBackAsTheDefaults) {
  auto path = Temp("default.toml");
  std::ofstream(path) << DefaultConfigText();
  auto config = LoadConfig(path);
  ASSERT_TRUE(config.ok()) << config.message();
  Config defaults;
  EXPECT_EQ(config->capf.port, defaults.capf.port);
  EXPECT_EQ(config->capf.keygen_timeout_s, defaults.capf.keygen_timeout_s);
  EXPECT_EQ(config->capf.tls_min_version, defaults.capf.tls_min_version);
  EXPECT_EQ(config->lsc.validity_days, defaults.lsc.validity_days);
  EXPECT_EQ(config->trust.manufacturing_ca, defaults.trust.manufacturing_ca);
  EXPECT_EQ(config->ocsp.port, 0);  // off unless asked for
  EXPECT_EQ(config->ocsp.next_update_minutes, defaults.ocsp.next_update_minutes);
  EXPECT_EQ(config->lsc.ocsp_url, "");
  EXPECT_EQ(config->lsc.crl_url, "");
  EXPECT_EQ(config->renewal.before_days, 30);
  EXPECT_EQ(config->renewal.max_per_hour, defaults.renewal.max_per_hour);
  EXPECT_EQ(config->renewal.window_hours, defaults.renewal.window_hours);
  EXPECT_EQ(config->renewal.keep_replaced_days, 0);
  EXPECT_FALSE(config->renewal.on_contact);
}

TEST(Config, RenewalMustEndBeforeTheLscsItRenews) {
  auto path = Temp("renewal.toml");
  std::ofstream(path) << "[lsc]\nvalidity_days = 30\n[renewal]\nbefore_days = 30\n";
  auto refused = LoadConfig(path);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("must be less than [lsc] validity_days"), std::string::npos)
      << refused.message();
  std::ofstream(path) << "[lsc]\nvalidity_days = 30\n[renewal]\nbefore_days = 0\n";
  EXPECT_TRUE(LoadConfig(path).ok()) << "0 turns renewal off";
  std::ofstream(path) << "[renewal]\non_contact = true\n";
  auto on_contact = LoadConfig(path);
  ASSERT_TRUE(on_contact.ok()) << on_contact.message();
  EXPECT_TRUE(on_contact->renewal.on_contact);
  for (const char* bad :
       {"max_per_hour = 0", "window_hours = 0", "before_days = -1", "on_contact = \"yes\""}) {
    std::ofstream(path) << "[renewal]\n" << bad << "\n";
    auto r = LoadConfig(path);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.message().find("[renewal]"), std::string::npos) << r.message();
  }
}

TEST(Config, OcspAndTheUrlsLscsCarry) {
  auto path = Temp("ocsp.toml");
  std::ofstream(path) << "[ocsp]\nport = 2560\nnext_update_minutes = 30\n[lsc]\n"
                         "ocsp_url = \"http://capf.example.com:2560/\"\n"
                         "crl_url = \"http://capf.example.com:6970/\"\n";
  auto config = LoadConfig(path);
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->ocsp.port, 2560);
  EXPECT_EQ(config->ocsp.next_update_minutes, 30);
  EXPECT_EQ(config->lsc.ocsp_url, "http://capf.example.com:2560/");
  for (const char* bad : {"ftp://x/", "http://", "http://a b/", "http://a,b/", "capf:2560"}) {
    std::ofstream(path) << "[lsc]\nocsp_url = \"" << bad << "\"\n";
    auto refused = LoadConfig(path);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.message().find("[lsc] ocsp_url"), std::string::npos) << refused.message();
  }
  for (const char* bad : {"port = 70000", "port = -1", "next_update_minutes = 0"}) {
    std::ofstream(path) << "[ocsp]\n" << bad << "\n";
    auto refused = LoadConfig(path);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.message().find("[ocsp]"), std::string::npos) << refused.message();
  }
}

TEST(Config, MistakesNameTheKey) {
  auto path = Temp("bad.toml");
  std::ofstream(path) << "[capf]\nport = 3804\nprot = 1\n";
  auto unknown = LoadConfig(path);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("unknown setting 'prot'"), std::string::npos)
      << unknown.message();

  std::ofstream(path) << "[capf]\ntls_min_version = \"1.4\"\n";
  EXPECT_NE(LoadConfig(path).message().find("tls_min_version"), std::string::npos);
  std::ofstream(path) << "[capf]\nport = \"x\"\n";
  EXPECT_NE(LoadConfig(path).message().find("port"), std::string::npos);
  std::ofstream(path) << "[capf]\nport = 70000\n";
  EXPECT_NE(LoadConfig(path).message().find("not 1-65535"), std::string::npos);
  std::ofstream(path) << "[admin]\nport = 0\n";
  EXPECT_NE(LoadConfig(path).message().find("[admin] port: 0 is not 1-65535"), std::string::npos);
}

TEST(Config, AdminLimitsAreBoundedBothWays) {
  auto path = Temp("admin.toml");
  std::ofstream(path) << "[admin]\nport = 9443\nsession_idle_minutes = 60\n";
  auto good = LoadConfig(path);
  ASSERT_TRUE(good.ok()) << good.message();
  EXPECT_EQ(good->admin.port, 9443);
  EXPECT_EQ(good->admin.session_idle_minutes, 60);
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"session_idle_minutes = 0", "session_idle_minutes: 0 is not 1-1440"},
           {"session_idle_minutes = 99999999", "session_idle_minutes: 99999999 is not 1-1440"},
           {"session_max_hours = 100000", "session_max_hours: 100000 is not 1-720"},
           {"login_attempts = -1", "login_attempts: -1 is not 1-1000"},
           {"login_window = 86401", "login_window: 86401 is not 1-86400"}}) {
    std::ofstream(path) << "[admin]\n" << text << "\n";
    auto bad = LoadConfig(path);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_NE(bad.message().find(expected), std::string::npos) << bad.message();
  }
}

TEST(Init, MakesEverythingWithPrivateKeysOnly0600) {
  auto root = Temp("data");
  std::filesystem::remove_all(root);
  DataDir dir(root);
  FakeClock clock(std::time(nullptr));
  auto made = Init(dir, {}, clock);
  ASSERT_TRUE(made.ok()) << made.message();
  for (const char* name : {kCapf, kCallManager, kTvs, kItlRecovery}) {
    auto identity = LoadIdentity(dir, name);
    ASSERT_TRUE(identity.ok()) << identity.message();
    auto mode = std::filesystem::status(dir.key(name)).permissions();
    EXPECT_EQ(mode & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << name;
  }
  auto capf = LoadIdentity(dir, kCapf);
  EXPECT_EQ(capf->certificate.CommonName().rfind("CAPF-", 0), 0u);
  EXPECT_EQ(capf->certificate.CommonName().size(), 13u);
  EXPECT_TRUE(capf->certificate.IsCa());
  EXPECT_TRUE(LoadConfig(dir.config()).ok());
  auto again = Init(dir, {}, clock);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.message().find("already initialised"), std::string::npos);
  std::filesystem::remove_all(root.parent_path());
}

}  // namespace
}  // namespace opencapf::service
