#include "tvs/test_harness.h"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

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
  asio::io_context io;
  auto ctx = net::MakeClientContext({});
  if (!ctx.ok()) return ctx.error();
  // Shared by the writer and the reader coroutine; they live until io.run() returns.
  TlsStream stream(io, **ctx);
  RawResult result;
  bool closed = false;
  bool we_closed = false;
  std::optional<Status> connected;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
        auto [ec] = co_await stream.lowest_layer().async_connect(server, net::kAwaitTuple);
        if (ec) {
          connected = Fail("connect: " + ec.message());
          co_return;
        }
        auto [hs] =
            co_await stream.async_handshake(asio::ssl::stream_base::client, net::kAwaitTuple);
        if (hs) {
          connected = Fail("handshake: " + hs.message());
          co_return;
        }
        connected = Status::Ok();
        // Read whatever the server says, concurrently with our writes, until it closes.
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
              std::uint8_t buf[4096];
              while (true) {
                auto [rec, n] =
                    co_await stream.async_read_some(asio::buffer(buf), net::kAwaitTuple);
                result.received.insert(result.received.end(), buf, buf + n);
                if (rec) break;
              }
              closed = true;
              result.server_closed = !we_closed;
            },
            asio::detached);
        if (pause_per_byte.count() == 0) {
          (void)co_await asio::async_write(stream, asio::buffer(bytes), net::kAwaitTuple);
        } else {
          for (std::uint8_t b : bytes) {
            if (closed) break;
            auto [wec, wn] =
                co_await asio::async_write(stream, asio::buffer(&b, 1), net::kAwaitTuple);
            if (wec) break;
            asio::steady_timer pause(io, pause_per_byte);
            co_await pause.async_wait(net::kAwaitTuple);
          }
        }
        const auto deadline = std::chrono::steady_clock::now() + wait;
        while (!closed && std::chrono::steady_clock::now() < deadline &&
               (expect == 0 || result.received.size() < expect)) {
          asio::steady_timer tick(io, std::chrono::milliseconds(20));
          co_await tick.async_wait(net::kAwaitTuple);
        }
        we_closed = true;
        asio::error_code ignored;
        stream.lowest_layer().close(ignored);
      },
      asio::detached);
  io.run();
  if (!connected) return Fail("the raw session did not start");
  if (!connected->ok()) return connected->error();
  return result;
}

}  // namespace opencapf::tvs::testing
