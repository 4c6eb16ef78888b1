#include "tvs/test_harness.h"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "net/raw_tls_client.h"
#include "net/tls.h"
#include "store/sqlite_store.h"
#include "tvs/trust.h"

namespace opencapf::tvs::testing {

namespace {
template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.message());
  return std::move(r).value();
}
}  // namespace

TvsSettings TestSettings() {
  TvsSettings s;
  s.address = "127.0.0.1";
  s.port = 0;
  s.handshake_timeout = std::chrono::seconds(5);
  s.max_session = std::chrono::seconds(60);
  s.limits.message_timeout = std::chrono::seconds(2);
  return s;
}

namespace {
pki::KeyAndCertificate MakeIdentity() {
  pki::CertificateProfile profile;
  profile.subject = {{"CN", "pub1-tvs"}, {"OU", "Voice"}, {"O", "opencapf test"}};
  profile.not_before = k2027 - 86400;
  profile.days = 365;
  return Must(pki::SelfSigned({pki::KeyAlgorithm::kRsa, 2048}, profile));
}
}  // namespace

TvsHarness::TvsHarness(TvsSettings settings) : identity(MakeIdentity()) {
  dir = std::filesystem::temp_directory_path() /
        ("opencapf-tvs-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  std::filesystem::create_directories(dir);
  store = Must(store::OpenSqliteStore(dir / "opencapf.db", clock));
  admin = Must(store::OpenSqliteStore(dir / "opencapf.db", clock));

  tls_ = Must(net::MakeServerContext(identity.certificate, identity.key, {}));
  auto source = [this] {
    std::lock_guard lock(tls_mu_);
    return tls_;
  };
  server_ = std::make_unique<TvsServer>(io_, source, *store, clock, settings);
  if (auto st = server_->Listen(); !st.ok()) throw std::runtime_error(st.message());
  port = server_->port();
  server_->Start();
  for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
}

TvsHarness::~TvsHarness() {
  server_->Stop();
  io_.stop();
  for (auto& t : threads_) t.join();
  server_.reset();
  admin.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}

void TvsHarness::Present(const pki::KeyAndCertificate& next) {
  auto tls = Must(net::MakeServerContext(next.certificate, next.key, {}));
  std::lock_guard lock(tls_mu_);
  tls_ = tls;
}

void TvsHarness::Trust(const pki::Certificate& certificate, std::vector<std::uint16_t> roles,
                       std::uint32_t ttl) {
  (void)Must(admin->PutTrusted(MakeTrusted(certificate, std::move(roles), ttl)));
}

void TvsHarness::Distrust(const pki::Certificate& certificate) {
  (void)Must(admin->RemoveTrusted(Sha256Hex(certificate.der())));
}

Result<ClientAnswer> TvsHarness::Query(const pki::Certificate& certificate, ClientOptions options) {
  options.host = "127.0.0.1";
  options.port = port;
  return QueryBlocking(certificate, options);
}

Result<TvsHarness::RawResult> TvsHarness::Raw(const Bytes& bytes,
                                              std::chrono::milliseconds pause_per_byte,
                                              std::size_t expect, std::chrono::milliseconds wait) {
  return net::testing::RawExchange(port, bytes, pause_per_byte, expect, wait);
}

}  // namespace opencapf::tvs::testing
