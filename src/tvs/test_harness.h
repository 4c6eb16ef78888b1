#pragma once

// A real TVS server on 127.0.0.1 (any free port) with a temporary trust store and a fake clock,
// and phone-side helpers that connect over real TCP and TLS. Used by the end-to-end tests.

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "net/raw_tls_client.h"
#include "pki/issuer.h"
#include "store/store.h"
#include "tvs/client.h"
#include "tvs/server.h"

namespace opencapf::tvs::testing {

/// 2027-01-01T00:00:00Z: inside the validity of the shared test certificates.
inline constexpr std::time_t k2027 = 1'798'761'600;

/// Short timeouts so that tests of misbehaving clients finish quickly.
TvsSettings TestSettings();

class TvsHarness {
 public:
  explicit TvsHarness(TvsSettings settings = TestSettings());
  ~TvsHarness();

  /// Trusts `certificate` through a second connection to the store file, as `opencapf trust
  /// add` in another process does; the running server is not told.
  void Trust(const pki::Certificate& certificate, std::vector<std::uint16_t> roles,
             std::uint32_t ttl = store::kDefaultTrustTtl);
  /// Removes it the same way.
  void Distrust(const pki::Certificate& certificate);

  /// Asks the server about `certificate` with our client (host and port filled in).
  Result<ClientAnswer> Query(const pki::Certificate& certificate, ClientOptions options = {});

  /// What a raw connection received.
  using RawResult = net::testing::RawResult;
  /// Opens a TLS connection, sends `bytes` (optionally one at a time with a pause), and reads
  /// until the server closes, `expect` bytes have arrived (0: no such limit) or `wait` passed.
  Result<RawResult> Raw(const Bytes& bytes, std::chrono::milliseconds pause_per_byte = {},
                        std::size_t expect = 0,
                        std::chrono::milliseconds wait = std::chrono::seconds(10));

  /// Presents another certificate from the next connection on, as a reload after regenerating
  /// the TVS certificate does.
  void Present(const pki::KeyAndCertificate& next);

  TvsServer& server() { return *server_; }

  FakeClock clock{k2027};
  /// The server's TLS identity.
  pki::KeyAndCertificate identity;
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;  ///< the server's connection
  std::unique_ptr<store::Store> admin;  ///< another connection, as the CLI's
  std::uint16_t port = 0;

 private:
  asio::io_context io_;
  std::mutex tls_mu_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::unique_ptr<TvsServer> server_;
  std::vector<std::thread> threads_;
};

}  // namespace opencapf::tvs::testing
