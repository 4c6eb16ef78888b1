#include "service/capf_test_harness.h"

#include <stdexcept>

#include "net/raw_tls_client.h"

namespace opencapf::service::testing {

namespace {
template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.message());
  return std::move(r).value();
}
void Must(const Status& s) {
  if (!s.ok()) throw std::runtime_error(s.message());
}
}  // namespace

pki::KeyAndCertificate TestCa::Issue(const std::string& cn, pki::KeySpec spec) const {
  auto key = Must(pki::PrivateKey::Generate(spec));
  pki::CertificateProfile p;
  p.subject = {{"CN", cn}, {"O", "Test"}};
  p.key_usage = {"digitalSignature", "keyEncipherment"};
  auto cert = Must(pki::IssueCertificate(p, key.get(), ca.key, &ca.certificate));
  return {key, cert};
}

TestCa MakeCa(const std::string& cn) {
  pki::CertificateProfile p;
  p.subject = {{"CN", cn}, {"O", "Test"}};
  p.ca = true;
  p.key_usage = {"digitalSignature", "keyCertSign"};
  return TestCa{Must(pki::SelfSigned({pki::KeyAlgorithm::kRsa, 2048}, p))};
}

CapfHarness::CapfHarness(capf::SessionLimits limits) {
  dir = std::filesystem::temp_directory_path() /
        ("opencapf-capf-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  std::filesystem::create_directories(dir);
  store = Must(store::OpenSqliteStore(dir / "opencapf.db", clock));

  pki::CertificateProfile capf;
  capf.subject = {{"CN", "CAPF-7e57ca9f"}, {"OU", "Voice"}, {"O", "opencapf test"}};
  capf.ca = true;
  capf.path_length = 0;
  capf.key_usage = {"digitalSignature", "keyCertSign"};
  auto pair = Must(pki::SelfSigned({pki::KeyAlgorithm::kRsa, 2048}, capf));
  authority = capf::CapfAuthority{
      pair.certificate, pair.key, {pair.certificate}, {manufacturing.ca.certificate}, {}, 1825, {}};

  auto tls = Must(net::MakeServerContext(pair.certificate, pair.key, {}));
  CapfListenSettings listen;
  listen.address = "127.0.0.1";
  listen.port = 0;
  listen.handshake_timeout = std::chrono::seconds(5);
  listen.max_session = std::chrono::seconds(60);
  // Read at every session, so a test may change `authority` between sessions.
  server_ = std::make_unique<CapfServer>(
      io_,
      [this, tls] {
        return std::make_shared<const CapfEndpoint>(CapfEndpoint{*authority, tls});
      },
      *store, clock, limits, listen);
  Must(server_->Listen());
  port = server_->port();
  server_->Start();
  thread_ = std::thread([this] { io_.run(); });
}

CapfHarness::~CapfHarness() {
  server_->Stop();
  io_.stop();
  thread_.join();
  server_.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}

store::Device CapfHarness::AddDevice(const std::string& name, store::Operation operation,
                                     store::AuthMode auth, std::optional<std::string> auth_string) {
  store::Device d;
  d.name = name;
  d.operation = operation;
  d.auth = auth;
  d.auth_string = auth_string;
  if (operation != store::Operation::kNone) {
    d.complete_by = clock.Now() + 3600;
    d.operation_status = std::string(store::kStatusPending);
  }
  Must(store->Add(d));
  return Get(name);
}

store::Device CapfHarness::Get(const std::string& name) {
  auto d = Must(store->Get(name));
  if (!d) throw std::runtime_error("no device " + name);
  return *d;
}

void CapfHarness::Change(const std::string& name,
                         const std::function<void(store::Device&)>& change) {
  store::Device d = Get(name);
  change(d);
  Must(store->Save(d, std::nullopt));
}

std::vector<store::Event> CapfHarness::History(const std::string& name) {
  return Must(store->History(name, 0));
}

Result<capf::PhoneOutcome> CapfHarness::Phone(const capf::PhoneCredentials& credentials,
                                              const capf::PhoneScript& script) {
  asio::io_context io;
  auto ctx = net::MakeClientContext({});
  if (!ctx.ok()) return ctx.error();
  std::optional<Result<capf::PhoneOutcome>> result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        net::TlsStream stream(io, **ctx);
        asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
        auto [ec] = co_await stream.lowest_layer().async_connect(server, net::kAwaitTuple);
        if (ec) {
          result = Fail("connect: " + ec.message());
          co_return;
        }
        auto [hs] =
            co_await stream.async_handshake(asio::ssl::stream_base::client, net::kAwaitTuple);
        if (hs) {
          result = Fail("handshake: " + hs.message());
          co_return;
        }
        result =
            co_await capf::RunPhoneSession(stream, credentials, script, std::chrono::seconds(20));
        asio::error_code ignored;
        stream.lowest_layer().close(ignored);
      },
      asio::detached);
  io.run();
  if (!result) return Fail("the phone session did not finish");
  return std::move(*result);
}

Result<Bytes> CapfHarness::Raw(const Bytes& bytes, std::chrono::milliseconds pause_per_byte,
                               std::chrono::milliseconds wait) {
  auto result = net::testing::RawExchange(port, bytes, pause_per_byte, 0, wait);
  if (!result.ok()) return result.error();
  if (!result->server_closed) return Fail("the server did not close the connection");
  return std::move(result->received);
}

capf::HeldCertificate CapfHarness::Enroll(const std::string& device) {
  Change(device, [&](store::Device& d) {
    d.operation = store::Operation::kInstall;
    d.auth = store::AuthMode::kNullString;
    d.auth_string.reset();
    d.complete_by = clock.Now() + 3600;
  });
  auto outcome = Must(Phone({device, "", {}, {}, {}, {}}));
  if (!outcome.lsc || !outcome.key) throw std::runtime_error("enrolment of " + device + " failed");
  return {capf::CertType::kLsc, *outcome.lsc, *outcome.key};
}

}  // namespace opencapf::service::testing
