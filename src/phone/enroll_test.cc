// The simulated phone against the whole server (Services: CAPF, TFTP, TVS on 127.0.0.1, a real
// data directory and store): TFTP → ITL → cnf → CAPF, and the phone's ITL rules across runs.
#include "phone/enroll.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include "base/file.h"
#include "phone/state.h"
#include "phone/status.h"
#include "phone/test_server.h"
#include "server/serve.h"
#include "service/certificates.h"
#include "service/data_dir.h"
#include "service/phone_config.h"
#include "store/sqlite_store.h"

namespace opencapf::phone {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr char kPhone[] = "SEP001122334455";

class EnrollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::TestServer>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    base_ = server_->base;
    services_ = server_->services.get();
    store_ = server_->store.get();
  }
  void TearDown() override { server_.reset(); }

  void Schedule(const std::string& name, store::AuthMode auth = store::AuthMode::kNullString,
                std::optional<std::string> auth_string = std::nullopt) {
    server_->Schedule(name, auth, auth_string);
  }

  EnrollOptions Options(const std::string& name = kPhone) {
    EnrollOptions o;
    o.device = name;
    o.tftp = HostPort{"127.0.0.1", services_->tftp_port()};
    o.state = base_ / ("phone-" + name);
    o.timeout = 10s;
    return o;
  }

  EnrollResult Run(const EnrollOptions& o) {
    log_.clear();
    return Enroll(
        o, [this](const EnrollLine& line) { log_ += line.text + "\n"; }, SystemClock::Instance());
  }

  store::Device Device(const std::string& name = kPhone) {
    auto d = store_->Get(name);
    EXPECT_TRUE(d.ok() && d->has_value());
    return d.ok() && *d ? **d : store::Device{};
  }

  std::unique_ptr<testing::TestServer> server_;
  fs::path base_;
  server::Services* services_ = nullptr;
  store::Store* store_ = nullptr;
  std::string log_;
};

TEST_F(EnrollTest, NullStringRsa2048InstallsAndKeepsTheLsc) {
  Schedule(kPhone);
  EnrollResult r = Run(Options());
  EXPECT_EQ(r.exit_code, kEnrollDone) << log_;
  EXPECT_EQ(r.status_messages, (std::vector<std::string>{kLscPending, kLscInstalled})) << log_;
  ASSERT_TRUE(r.lsc.has_value());
  EXPECT_EQ(r.lsc->CommonName(), kPhone);
  EXPECT_EQ(r.lsc->key_bits(), 2048);
  EXPECT_EQ(Device().operation_status, store::kStatusUpgradeSuccess);
  EXPECT_EQ(Device().lsc_status, store::LscStatus::kInstalled);
  struct stat key_stat {};
  ASSERT_EQ(::stat((base_ / "phone-SEP001122334455" / "lsc.key").c_str(), &key_stat), 0);
  EXPECT_EQ(key_stat.st_mode & 0777, 0600u);
  EXPECT_NE(log_.find("matches the ITL's CAPF record"), std::string::npos) << log_;

  auto state = PhoneState::Open(base_ / "phone-SEP001122334455", false);
  ASSERT_TRUE(state.ok());
  auto menu = SecurityMenuText(*state, SystemClock::Instance());
  ASSERT_TRUE(menu.ok()) << menu.message();
  EXPECT_NE(menu->find("LSC:           Installed"), std::string::npos) << *menu;
  EXPECT_NE(menu->find("CN=SEP001122334455"), std::string::npos) << *menu;

  // Nothing scheduled any more: CAPF has nothing to do, and the ITL is unchanged.
  EnrollResult again = Run(Options());
  EXPECT_EQ(again.exit_code, kEnrollNothingToDo) << log_;
  EXPECT_NE(log_.find("unchanged"), std::string::npos) << log_;
}

TEST_F(EnrollTest, ExistingLscAuthenticatesTheRenewalAndEcKeysAreMade) {
  Schedule(kPhone);
  ASSERT_EQ(Run(Options()).exit_code, kEnrollDone) << log_;
  Schedule(kPhone, store::AuthMode::kExistingLsc);
  store::Device d = Device();
  d.key_order = store::KeyOrder::kEc;
  d.ec_curve = 384;
  ASSERT_TRUE(store_->Save(d, std::nullopt).ok());
  EnrollResult r = Run(Options());
  EXPECT_EQ(r.exit_code, kEnrollDone) << log_;
  EXPECT_NE(log_.find("authenticating with its LSC"), std::string::npos) << log_;
  ASSERT_TRUE(r.lsc.has_value());
  EXPECT_EQ(r.lsc->key_algorithm(), pki::KeyAlgorithm::kEc);
  EXPECT_EQ(r.lsc->key_bits(), 384);
}

TEST_F(EnrollTest, AuthStringModeNeedsTheString) {
  Schedule(kPhone, store::AuthMode::kAuthString, "24681357");
  EnrollResult missing = Run(Options());
  EXPECT_EQ(missing.exit_code, kEnrollUsage) << log_;
  EXPECT_NE(log_.find("--auth-string"), std::string::npos) << log_;
  EnrollOptions wrong = Options();
  wrong.auth_string = "11111111";
  EnrollResult refused = Run(wrong);
  EXPECT_EQ(refused.exit_code, kEnrollFailed) << log_;
  EXPECT_EQ(refused.status_messages, (std::vector<std::string>{kLscFailed})) << log_;
  EXPECT_EQ(Device().operation_status, store::kStatusUpgradeAuthenticationFailed);
  EnrollOptions right = Options();
  right.auth_string = "24681357";
  EXPECT_EQ(Run(right).exit_code, kEnrollDone) << log_;
}

TEST_F(EnrollTest, AnItlFromAnUntrustedSignerIsRefusedAndTheOldOneKept) {
  Schedule(kPhone);
  ASSERT_EQ(Run(Options()).exit_code, kEnrollDone) << log_;
  const Bytes before = *ReadFile(base_ / "phone-SEP001122334455" / "itl.tlv");
  // The ITLRecovery certificate is replaced: the server re-signs the ITL with a key the
  // phone's ITL does not list.
  auto regenerated =
      service::RegenerateCertificate(service::DataDir(base_ / "data"), service::kItlRecovery,
                                     std::nullopt, 3650, SystemClock::Instance());
  ASSERT_TRUE(regenerated.ok()) << regenerated.message();
  Schedule(kPhone);
  std::string refused_log;
  for (int i = 0; i < 50; ++i) {  // until the server has reloaded (it checks every second)
    EnrollResult r = Run(Options());
    if (std::find(r.status_messages.begin(), r.status_messages.end(), kTrustListUpdateFailed) !=
        r.status_messages.end()) {
      refused_log = log_;
      EXPECT_EQ(r.exit_code, kEnrollDone) << "the old ITL still trusts CAPF\n" << log_;
      break;
    }
    Schedule(kPhone);
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_FALSE(refused_log.empty()) << "the server never served the re-signed ITL";
  EXPECT_NE(refused_log.find("does not list as a SAST token"), std::string::npos) << refused_log;
  EXPECT_EQ(*ReadFile(base_ / "phone-SEP001122334455" / "itl.tlv"), before);
}

TEST_F(EnrollTest, NoStateAndNoServerIsATftpTimeout) {
  EnrollOptions o = Options();
  o.tftp = HostPort{"127.0.0.1", 9};  // discard: nothing answers TFTP there
  o.state.reset();
  o.timeout = 2s;
  EnrollResult r = Run(o);
  EXPECT_EQ(r.exit_code, kEnrollTftp) << log_;
  EXPECT_EQ(r.status_messages, (std::vector<std::string>{kTftpTimeout})) << log_;
}

}  // namespace
}  // namespace opencapf::phone
