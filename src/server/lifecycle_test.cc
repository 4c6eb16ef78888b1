// The certificate lifecycle with the server running: expiry warnings by an injected clock, a
// regeneration while a CAPF session is under way, revocation by a CAPF delete session, CRLs and
// the head-end export across a CAPF renewal.
#include <openssl/x509.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <thread>

#include <httplib.h>
#include <openssl/ocsp.h>

#include "base/file.h"
#include "capf/phone_session.h"
#include "net/asio.h"
#include "net/tls.h"
#include "pki/chain.h"
#include "pki/crl.h"
#include "pki/lsc.h"
#include "pki/ocsp_test_client.h"
#include "server/serve.h"
#include "service/capf_test_harness.h"
#include "service/certificates.h"
#include "service/crls.h"
#include "service/expiry.h"
#include "service/renewal.h"
#include "service/trust_export.h"
#include "store/sqlite_store.h"

namespace opencapf::service {
namespace {

using ::testing::HasSubstr;

constexpr std::time_t kDay = 86400;

std::filesystem::path TempRoot(const std::string& what) {
  auto root = std::filesystem::temp_directory_path() /
              ("opencapf-" + what + "-" + std::to_string(getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(root);
  return root;
}

store::StoredCertificate Describe(const pki::Certificate& cert) {
  return {cert.ToPem(),      HexUpper(cert.SerialBytes(), ""),
          cert.Subject(),    cert.Issuer(),
          cert.not_before(), cert.not_after()};
}

// An LSC the data directory's current CAPF certificate issues, without a session.
pki::Certificate IssueUnderCapf(const DataDir& dir, const std::string& device, std::time_t now) {
  auto capf = *LoadIdentity(dir, kCapf);
  auto key = *pki::PrivateKey::Generate({pki::KeyAlgorithm::kEc, 256});
  Bytes spki;
  {
    int len = i2d_PUBKEY(key.get(), nullptr);
    spki.resize(static_cast<std::size_t>(len));
    unsigned char* p = spki.data();
    i2d_PUBKEY(key.get(), &p);
  }
  pki::LscRequest request{device, spki, {}, 365, now};
  return pki::IssueLsc(request, capf.certificate, capf.key)->certificate;
}

class ExpiryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = TempRoot("expiry");
    ASSERT_TRUE(Init(dir_, {}, clock_).ok());
    store_ = std::move(store::OpenSqliteStore(dir_.store(), clock_).value());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(root_);
  }
  std::vector<std::string> Names(int window = 60) {
    auto warnings = CheckExpiry(dir_, store_.get(), clock_, window);
    EXPECT_TRUE(warnings.ok()) << warnings.message();
    std::vector<std::string> out;
    for (const auto& w : *warnings) out.push_back(w.name);
    return out;
  }

  const std::time_t t0_ = std::time(nullptr);
  FakeClock clock_{t0_};
  std::filesystem::path root_;
  DataDir dir_{TempRoot("expiry")};
  std::unique_ptr<store::Store> store_;
};

TEST_F(ExpiryTest, WarnsWithinTheWindowByTheInjectedClock) {
  EXPECT_TRUE(Names().empty()) << "fresh certificates";
  // Five years on, thirty days before the CAPF, CallManager, TVS and admin certificates end.
  clock_.Set(t0_ + 5 * 365 * kDay - 30 * kDay);
  EXPECT_THAT(Names(), ::testing::UnorderedElementsAre("capf", "callmanager", "tvs", "admin"));
  EXPECT_TRUE(Names(10).empty()) << "a 10-day window does not reach them yet";
  auto warnings = *CheckExpiry(dir_, store_.get(), clock_, 60);
  const auto& capf = *std::find_if(warnings.begin(), warnings.end(),
                                   [](const ExpiryWarning& w) { return w.name == "capf"; });
  EXPECT_FALSE(capf.expired);
  EXPECT_GE(capf.days_left, 28);
  EXPECT_LE(capf.days_left, 30);
  EXPECT_THAT(capf.message, HasSubstr("the capf certificate (CN=CAPF-"));
  EXPECT_THAT(capf.message, HasSubstr("expires in "));
  EXPECT_THAT(capf.message, HasSubstr("opencapf cert regenerate capf --yes"));
  EXPECT_THAT(capf.message, HasSubstr("maintenance window"));

  clock_.Set(t0_ + 5 * 365 * kDay + kDay);
  warnings = *CheckExpiry(dir_, store_.get(), clock_, 60);
  ASSERT_FALSE(warnings.empty());
  EXPECT_TRUE(warnings.front().expired);
  EXPECT_LT(warnings.front().days_left, 0);
  EXPECT_THAT(warnings.front().message, HasSubstr("expired on"));
}

TEST_F(ExpiryTest, WarnsAboutLscsSoonestFirst) {
  store::Device d;
  d.name = "SEP001122334455";
  d.lsc_status = store::LscStatus::kInstalled;
  d.lsc = Describe(IssueUnderCapf(dir_, d.name, clock_.Now()));
  ASSERT_TRUE(store_->Add(d).ok());
  EXPECT_TRUE(Names().empty());
  clock_.Set(t0_ + 365 * kDay - 20 * kDay);
  auto warnings = *CheckExpiry(dir_, store_.get(), clock_, 60);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].kind, ExpiryWarning::Kind::kLsc);
  EXPECT_EQ(warnings[0].name, "SEP001122334455");
  EXPECT_THAT(warnings[0].message,
              HasSubstr("opencapf device set SEP001122334455 --operation install"));
}

// The embedded server logs the same warnings at start and again a day later by its clock.
TEST(ServeExpiryTest, LogsAtStartAndDaily) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(2000);
  spdlog::default_logger()->sinks().push_back(sink);
  auto count = [&](const std::string& text) {
    int n = 0;
    for (const auto& line : sink->last_formatted()) n += line.find(text) != std::string::npos;
    return n;
  };
  const auto root = TempRoot("serve-expiry");
  const std::time_t t0 = std::time(nullptr);
  FakeClock clock(t0);
  const auto options = server::ServeOptions::OnLoopback(root, 1);
  {
    // A data directory whose CAPF certificate ends in 40 days.
    DataDir dir(root);
    ASSERT_TRUE(Init(dir, {}, clock).ok());
    ASSERT_TRUE(RegenerateCertificate(dir, kCapf, std::nullopt, 40, clock).ok());
  }
  auto services = server::Services::Open(options, clock);
  ASSERT_TRUE(services.ok()) << services.message();
  (*services)->Start();
  std::thread runner([&] { (*services)->Run(); });
  const std::string capf_warning = "expiry: the capf certificate";
  EXPECT_EQ(count(capf_warning), 1) << "at start";
  EXPECT_EQ(count("expiry: the tvs certificate"), 0);

  // An hour later: nothing new. A day later: the warning again.
  clock.Advance(3600);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(count(capf_warning), 1);
  clock.Advance(kDay);
  for (int i = 0; i < 50 && count(capf_warning) < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(count(capf_warning), 2) << "a day later";
  (*services)->Stop();
  runner.join();
  services->reset();
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
  std::filesystem::remove_all(root);
}

// A phone, over TCP+TLS, against the embedded server.
Result<capf::PhoneOutcome> RunPhone(std::uint16_t port, const capf::PhoneCredentials& credentials,
                                    const capf::PhoneScript& script = {}) {
  asio::io_context io;
  auto ctx = net::MakeClientContext({});
  if (!ctx.ok()) return ctx.error();
  std::optional<Result<capf::PhoneOutcome>> result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        net::TlsStream stream(io, **ctx);
        const asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
        auto [ec] = co_await stream.lowest_layer().async_connect(server, net::kAwaitTuple);
        auto [hs] =
            co_await stream.async_handshake(asio::ssl::stream_base::client, net::kAwaitTuple);
        if (ec || hs) {
          result = Fail("connect or handshake failed");
          co_return;
        }
        result =
            co_await capf::RunPhoneSession(stream, credentials, script, std::chrono::seconds(30));
      },
      asio::detached);
  io.run();
  if (!result) return Fail("the phone session did not finish");
  return std::move(*result);
}

Result<pki::Certificate> Presented(std::uint16_t port) {
  asio::io_context io;
  auto ctx = net::MakeClientContext({});
  if (!ctx.ok()) return ctx.error();
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, **ctx);
  asio::error_code ec;
  stream.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return Fail("connect: " + ec.message());
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return Fail("handshake: " + ec.message());
  auto peer = net::PeerCertificate(stream.native_handle());
  stream.lowest_layer().close(ec);
  if (!peer) return Fail("no certificate presented");
  return *peer;
}

TEST(ServeReloadTest, RegenerateWhileASessionRunsThatSessionCompletesTheNextSeesTheNewCertificate) {
  const auto root = TempRoot("serve-reload");
  FakeClock clock(std::time(nullptr));
  const auto options = server::ServeOptions::OnLoopback(root);
  auto services = server::Services::Open(options, clock);
  ASSERT_TRUE(services.ok()) << services.message();
  (*services)->Start();
  std::thread runner([&] { (*services)->Run(); });
  const std::uint16_t port = (*services)->capf_port();
  DataDir dir(root);
  auto admin = std::move(store::OpenSqliteStore(dir.store(), clock).value());
  for (const char* name : {"SEP0000000000A1", "SEP0000000000A2"}) {
    store::Device d;
    d.name = name;
    d.operation = store::Operation::kInstall;
    d.complete_by = clock.Now() + 3600;
    d.operation_status = std::string(store::kStatusPending);
    ASSERT_TRUE(admin->Add(d).ok());
  }
  const pki::Certificate old_capf = *pki::Certificate::Load(dir.certificate(kCapf));

  // A slow phone: it takes three seconds over its key; the CAPF certificate changes meanwhile.
  capf::PhoneScript slow;
  slow.keygen_delay = std::chrono::milliseconds(3000);
  std::optional<Result<capf::PhoneOutcome>> slow_outcome;
  std::thread phone([&] {
    slow_outcome = RunPhone(port, {"SEP0000000000A1", "", {}, {}, {}, {}}, slow);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto fresh = RegenerateCertificate(dir, kCapf, std::nullopt, 365, clock);
  ASSERT_TRUE(fresh.ok()) << fresh.message();
  bool switched = false;
  for (int i = 0; i < 100 && !switched; ++i) {
    auto presented = Presented(port);
    switched = presented.ok() && *presented == fresh->certificate;
    if (!switched) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(switched) << "the next TLS handshake shows the new CAPF certificate";
  phone.join();
  ASSERT_TRUE(slow_outcome && slow_outcome->ok()) << (slow_outcome ? slow_outcome->message() : "");
  ASSERT_TRUE((*slow_outcome)->lsc) << "the session under way completed";
  EXPECT_TRUE(pki::SignedBy(*(*slow_outcome)->lsc, old_capf))
      << "with the CAPF certificate it started with";

  auto next = RunPhone(port, {"SEP0000000000A2", "", {}, {}, {}, {}});
  ASSERT_TRUE(next.ok() && next->lsc) << (next.ok() ? "no LSC" : next.message());
  EXPECT_TRUE(pki::SignedBy(*next->lsc, fresh->certificate));

  (*services)->Stop();
  runner.join();
  services->reset();
  admin.reset();
  std::filesystem::remove_all(root);
}

TEST(RevocationSessionTest, ADeleteSessionRevokesAndARevokedLscNoLongerAuthenticates) {
  testing::CapfHarness h;
  const std::string deleted = "SEP0000000000B1";
  h.AddDevice(deleted, store::Operation::kNone);
  auto lsc = h.Enroll(deleted);
  h.Change(deleted, [&](store::Device& d) {
    d.operation = store::Operation::kDelete;
    d.complete_by = h.clock.Now() + 3600;
  });
  auto outcome = h.Phone({deleted, "", {}, {}, lsc, {}});
  ASSERT_TRUE(outcome.ok()) << outcome.message();
  EXPECT_TRUE(outcome->deleted);
  auto revoked = h.store->ListRevocations();
  ASSERT_TRUE(revoked.ok());
  ASSERT_EQ(revoked->size(), 1u);
  EXPECT_EQ((*revoked)[0].serial_hex, HexUpper(lsc.certificate.SerialBytes(), ""));
  EXPECT_EQ((*revoked)[0].reason, store::RevocationReason::kCessationOfOperation);
  EXPECT_THAT(h.History(deleted).front().reason, HasSubstr("revoked"));

  const std::string stolen = "SEP0000000000B2";
  h.AddDevice(stolen, store::Operation::kNone);
  auto lsc2 = h.Enroll(stolen);
  ASSERT_TRUE(
      h.store
          ->RevokeDeviceCertificates(stolen, store::RevocationReason::kKeyCompromise, std::nullopt)
          .ok());
  h.Change(stolen, [&](store::Device& d) {
    d.operation = store::Operation::kInstall;
    d.auth = store::AuthMode::kExistingLsc;
    d.complete_by = h.clock.Now() + 3600;
  });
  auto refused = h.Phone({stolen, "", lsc2, {}, lsc2, {}});
  ASSERT_TRUE(refused.ok()) << refused.message();
  EXPECT_FALSE(refused->lsc);
  EXPECT_EQ(h.Get(stolen).operation_status, std::string(store::kStatusUpgradeAuthenticationFailed));
  EXPECT_THAT(h.History(stolen).front().reason, HasSubstr("was revoked"));
}

TEST(CrlAndExportTest, AcrossACapfRenewalEachKeySignsItsOwnCrlAndTheExportKeepsWhatIsNeeded) {
  const auto root = TempRoot("crl-export");
  FakeClock clock(std::time(nullptr));
  DataDir dir(root);
  ASSERT_TRUE(Init(dir, {}, clock).ok());
  auto store = std::move(store::OpenSqliteStore(dir.store(), clock).value());
  const pki::Certificate first = *pki::Certificate::Load(dir.certificate(kCapf));
  store::Device d;
  d.name = "SEP0000000000C1";
  d.lsc_status = store::LscStatus::kInstalled;
  const pki::Certificate lsc = IssueUnderCapf(dir, d.name, clock.Now());
  d.lsc = Describe(lsc);
  ASSERT_TRUE(store->Add(d).ok());

  auto anchors = CollectTrustAnchors(dir, *store, clock);
  ASSERT_TRUE(anchors.ok()) << anchors.message();
  ASSERT_EQ(anchors->anchors.size(), 1u);

  auto second = RegenerateCertificate(dir, kCapf, std::nullopt, 365, clock);
  ASSERT_TRUE(second.ok());
  anchors = CollectTrustAnchors(dir, *store, clock);
  ASSERT_EQ(anchors->anchors.size(), 2u) << "the first CAPF still vouches for a valid LSC";
  EXPECT_EQ(anchors->anchors[0].certificate, second->certificate);
  EXPECT_EQ(anchors->anchors[1].certificate, first);
  EXPECT_THAT(anchors->anchors[1].why, HasSubstr("1 LSC it signed still valid"));
  const std::string radius = FormatTrustExport(*anchors, ExportFormat::kRadius);
  EXPECT_EQ(pki::Certificate::AllFromPem(radius)->size(), 2u);
  EXPECT_THAT(FormatTrustExport(*anchors, ExportFormat::kAsa),
              HasSubstr("crypto ca authenticate OPENCAPF-CA-2"));
  const std::string ocserv = FormatTrustExport(*anchors, ExportFormat::kOcserv);
  EXPECT_EQ(pki::Certificate::AllFromPem(ocserv)->size(), 2u);
  EXPECT_EQ(ocserv.find('#'), std::string::npos) << "ocserv's ca-cert is plain PEM";

  ASSERT_TRUE(
      store->RevokeDeviceCertificates(d.name, store::RevocationReason::kKeyCompromise, std::nullopt)
          .ok());
  auto set = BuildCapfCrls(dir, *store, clock, 7);
  ASSERT_TRUE(set.ok()) << set.message();
  ASSERT_EQ(set->crls.size(), 2u);
  EXPECT_TRUE(set->crls[0].current);
  EXPECT_EQ(set->crls[0].entries, 0u);
  EXPECT_EQ(set->crls[1].issuer, first);
  EXPECT_EQ(set->crls[1].entries, 1u) << "the LSC is revoked in the CRL of the key that signed it";
  for (const auto& c : set->crls) {
    const unsigned char* p = c.crl.der.data();
    X509_CRL* parsed = d2i_X509_CRL(nullptr, &p, static_cast<long>(c.crl.der.size()));
    ASSERT_NE(parsed, nullptr);
    EXPECT_EQ(X509_CRL_verify(parsed, c.issuer.public_key()), 1);
    X509_CRL_free(parsed);
  }
  ASSERT_TRUE(WriteCrls(dir, *set).ok());
  EXPECT_TRUE(std::filesystem::exists(CrlDir(dir) / kCrlBundleName));
  EXPECT_TRUE(std::filesystem::exists(CrlDir(dir) / set->crls[1].file_name));

  anchors = CollectTrustAnchors(dir, *store, clock);
  ASSERT_EQ(anchors->anchors.size(), 1u) << "no unrevoked LSC of the first CAPF remains";
  ASSERT_EQ(anchors->left_out.size(), 1u);
  EXPECT_THAT(anchors->left_out[0].why, HasSubstr("no valid, unrevoked LSC"));
  store.reset();
  std::filesystem::remove_all(root);
}

TEST(TrustExportTest, OcservGetsTheCrlsBesideTheCaFileAndTheLinesNamingBoth) {
  EXPECT_EQ(CrlFileBeside("/etc/ocserv/opencapf-ca.pem"), "/etc/ocserv/opencapf-ca-crl.pem");
  EXPECT_EQ(CrlFileBeside("trust/ca.crt"), "trust/ca-crl.pem");
  EXPECT_EQ(CrlFileBeside("ca"), "ca-crl.pem");
  EXPECT_NE(CrlFileBeside("opencapf-crl.pem"), "opencapf-crl.pem") << "never the CA file itself";
  EXPECT_EQ(OcservConfigLines("/etc/ocserv/opencapf-ca.pem", "/etc/ocserv/opencapf-ca-crl.pem"),
            "auth = \"certificate\"\n"
            "ca-cert = /etc/ocserv/opencapf-ca.pem\n"
            "crl = /etc/ocserv/opencapf-ca-crl.pem\n"
            "cert-user-oid = 2.5.4.3\n");
}

}  // namespace
}  // namespace opencapf::service

namespace opencapf::service {
namespace {

// OCSP's answer about `lsc` from the embedded responder on `port`, verified against `capf`.
pki::testing::ClientView AskOcsp(std::uint16_t port, const pki::Certificate& lsc,
                                 const pki::Certificate& capf) {
  const Bytes request = pki::testing::ClientRequest(lsc, capf);
  httplib::Client client("127.0.0.1", port);
  auto r =
      client.Post("/", std::string(request.begin(), request.end()), "application/ocsp-request");
  if (!r) return {};
  return pki::testing::ReadResponse(Bytes(r->body.begin(), r->body.end()), capf);
}

// [renewal]: LSCs ten days from their end are scheduled at no more than max_per_hour, in the
// audit log; the phones then renew by their existing LSC, and each replaced LSC is revoked (the
// CRL and OCSP both say so).
TEST(RenewalPolicyTest, ServeSchedulesAtTheRateAndPhonesRenewByTheirLsc) {
  const auto root = TempRoot("serve-renewal");
  FakeClock clock(std::time(nullptr));
  {
    DataDir dir(root);
    ASSERT_TRUE(Init(dir, {}, clock).ok());
    // LSCs of 30 days under a CAPF certificate of ten years; two renewals an hour.
    std::string text = DefaultConfigText();
    auto set = [&](const std::string& from, const std::string& to) {
      auto at = text.find(from);
      ASSERT_NE(at, std::string::npos) << from;
      text.replace(at, from.size(), to);
    };
    set("validity_days = 1825", "validity_days = 30");
    set("max_per_hour = 60", "max_per_hour = 2");
    set("before_days = 30", "before_days = 15");
    std::ofstream(dir.config(), std::ios::trunc) << text;
  }
  auto options = server::ServeOptions::OnLoopback(root);
  options.ocsp_port = 0;
  auto services = server::Services::Open(options, clock);
  ASSERT_TRUE(services.ok()) << services.message();
  (*services)->Start();
  std::thread runner([&] { (*services)->Run(); });
  const std::uint16_t port = (*services)->capf_port();
  DataDir dir(root);
  auto admin = std::move(store::OpenSqliteStore(dir.store(), clock).value());
  const pki::Certificate capf = *pki::Certificate::Load(dir.certificate(kCapf));

  // Adds `name` with an install scheduled and enrolls it by null string.
  auto enroll = [&](const std::string& name) -> std::optional<capf::HeldCertificate> {
    store::Device d;
    d.name = name;
    d.operation = store::Operation::kInstall;
    d.complete_by = clock.Now() + 3600;
    d.operation_status = std::string(store::kStatusPending);
    if (!admin->Add(d).ok()) return std::nullopt;
    auto enrolled = RunPhone(port, {name, "", {}, {}, {}, {}});
    if (!enrolled.ok() || !enrolled->lsc) return std::nullopt;
    return capf::HeldCertificate{capf::CertType::kLsc, *enrolled->lsc, *enrolled->key};
  };
  std::map<std::string, capf::HeldCertificate> held;
  for (const char* name : {"SEP0000000000C1", "SEP0000000000C2", "SEP0000000000C3"}) {
    auto lsc = enroll(name);
    ASSERT_TRUE(lsc) << name << " did not enroll";
    held.emplace(name, *lsc);
  }
  // A fourth phone, busy with a Troubleshoot when its renewal falls due.
  constexpr char kBusy[] = "SEP0000000000C4";
  const std::optional<capf::HeldCertificate> busy_lsc = enroll(kBusy);
  ASSERT_TRUE(busy_lsc) << kBusy << " did not enroll";
  store::Device busy = **admin->Get(kBusy);
  busy.operation = store::Operation::kTroubleshoot;
  busy.complete_by = clock.Now() + 40 * kDay;
  ASSERT_TRUE(admin->Save(busy, std::nullopt).ok());
  auto scheduled = [&] {
    int n = 0;
    for (const auto& [name, _] : held) {
      n += (**admin->Get(name)).operation == store::Operation::kInstall;
    }
    return n;
  };
  auto wait_for = [&](int want) {
    for (int i = 0; i < 100 && scheduled() < want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return scheduled();
  };
  EXPECT_EQ(scheduled(), 0);

  // Twenty days on, the LSCs end in ten: at the next check (every 10 minutes), two of the three.
  clock.Advance(20 * kDay + 601);
  EXPECT_EQ(wait_for(2), 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(scheduled(), 2) << "no more than max_per_hour";
  auto audit = admin->ListAudit(50);
  ASSERT_TRUE(audit.ok());
  int audited = 0;
  for (const auto& a : *audit) audited += a.action == kRenewalAuditAction;
  EXPECT_EQ(audited, 2);
  // An hour later, the third.
  clock.Advance(3601);
  EXPECT_EQ(wait_for(3), 3);
  // The busy phone was left alone. Once its session ends the Troubleshoot, the plan looks again
  // at once (the clock does not move: the 10-minute check is not what finds it).
  EXPECT_EQ((**admin->Get(kBusy)).operation, store::Operation::kTroubleshoot);
  auto troubleshot = RunPhone(port, {kBusy, "", {}, {}, busy_lsc, {}});
  ASSERT_TRUE(troubleshot.ok()) << troubleshot.message();
  for (int i = 0; i < 100 && (**admin->Get(kBusy)).operation != store::Operation::kInstall; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ((**admin->Get(kBusy)).operation, store::Operation::kInstall);
  EXPECT_THAT(admin->History(kBusy, 1)->front().reason, HasSubstr("renewal scheduled"));
  const store::Device c1 = **admin->Get("SEP0000000000C1");
  EXPECT_EQ(c1.auth, store::AuthMode::kExistingLsc);
  EXPECT_THAT(admin->History("SEP0000000000C1", 1)->front().reason, HasSubstr("renewal scheduled"));

  // The phones renew by their existing LSC; the LSCs they replaced are revoked.
  for (auto& [name, lsc] : held) {
    capf::PhoneCredentials creds{name, "", lsc, {}, lsc, {}};
    auto renewed = RunPhone(port, creds);
    ASSERT_TRUE(renewed.ok() && renewed->lsc)
        << name << ": " << (renewed.ok() ? "no LSC" : renewed.message());
    EXPECT_NE(renewed->lsc->SerialBytes(), lsc.certificate.SerialBytes());
    EXPECT_EQ((**admin->Get(name)).operation, store::Operation::kNone);
  }
  auto revoked = admin->ListRevocations();
  ASSERT_TRUE(revoked.ok());
  ASSERT_EQ(revoked->size(), 3u);
  for (const auto& r : *revoked) EXPECT_EQ(r.reason, store::RevocationReason::kSuperseded);
  // The CRL serve keeps and its OCSP responder both say so.
  const pki::Certificate& first = held.begin()->second.certificate;
  bool in_crl = false;
  bool in_ocsp = false;
  for (int i = 0; i < 100 && !(in_crl && in_ocsp); ++i) {
    auto pem = ReadFile(CrlDir(dir) / kCrlBundleName);
    in_crl = pem.ok() &&
             std::string(pem->begin(), pem->end()).find("3 revoked LSCs") != std::string::npos;
    in_ocsp = AskOcsp((*services)->ocsp_port(), first, capf).status == V_OCSP_CERTSTATUS_REVOKED;
    if (!(in_crl && in_ocsp)) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(in_crl);
  EXPECT_TRUE(in_ocsp);
  auto answer = AskOcsp((*services)->ocsp_port(), first, capf);
  EXPECT_TRUE(answer.verified);
  EXPECT_EQ(answer.reason, static_cast<int>(store::RevocationReason::kSuperseded));

  (*services)->Stop();
  runner.join();
  services->reset();
  admin.reset();
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace opencapf::service
