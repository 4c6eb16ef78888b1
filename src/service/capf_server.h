#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "capf/server_session.h"
#include "net/tls_listener.h"
#include "store/store.h"
#include "store/store_worker.h"

namespace opencapf::service {

/// What CAPF sessions use that may change while the server runs: the CAPF identity and trusted
/// issuers, and the TLS context presenting the CAPF certificate. A session keeps the snapshot it
/// started with; a reload affects only the sessions that start after it.
struct CapfEndpoint {
  capf::CapfAuthority authority;
  std::shared_ptr<asio::ssl::context> tls;
};
using CapfEndpointSource = std::function<std::shared_ptr<const CapfEndpoint>()>;

struct CapfListenSettings {
  std::string address = "0.0.0.0";
  std::uint16_t port = 3804;  ///< 0: any free port (tests)
  int max_sessions = 2000;
  std::chrono::seconds handshake_timeout{15};
  std::chrono::seconds max_session{1200};
  /// Where sessions are counted for /metrics; may be null.
  Metrics* metrics = nullptr;
  /// Called on an I/O thread after each session that completed its operation (an LSC
  /// installed, fetched or deleted: the device has nothing scheduled any more, so the renewal
  /// plan looks again); may be empty. Must not block.
  std::function<void()> on_completed{};
};

/// The CAPF listener: accepts TCP on the CAPF port, runs the TLS handshake and one
/// CapfServerSession per connection as a coroutine on its own strand, and logs one line per
/// session. A connection over the session cap is closed at once with a logged reason.
class CapfServer {
 public:
  CapfServer(asio::io_context& io, CapfEndpointSource endpoint, store::Store& store,
             const Clock& clock, capf::SessionLimits limits, CapfListenSettings settings);

  /// Binds and listens; fails with the address and why (in use, permission denied).
  Status Listen() { return listener_.Listen(); }
  /// Starts accepting; sessions run on the io_context's threads.
  void Start() { listener_.Start(); }
  /// Stops accepting; sessions in flight finish or time out.
  void Stop() { listener_.Stop(); }
  /// Logs how the sessions' store calls were batched ("N store calls in M commits").
  ~CapfServer();
  /// The bound port (useful when asked for port 0).
  std::uint16_t port() const { return listener_.port(); }
  int active_sessions() const { return listener_.active(); }
  /// True while it accepts connections.
  bool listening() const { return listener_.accepting(); }

 private:
  asio::awaitable<void> Session(net::TlsStream& stream, const CapfEndpoint& endpoint,
                                const std::string& peer);

  // Sessions make their store calls here, off the I/O threads.
  store::StoreWorker store_;
  const Clock& clock_;
  capf::SessionLimits limits_;
  Metrics* metrics_;
  std::function<void()> on_completed_;
  net::TlsListener<CapfEndpoint> listener_;
};

}  // namespace opencapf::service
