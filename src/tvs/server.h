#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "net/tls_listener.h"
#include "store/store.h"
#include "tvs/message.h"
#include "tvs/server_session.h"
#include "tvs/trust.h"

namespace opencapf::tvs {

/// Where and how the TVS listener runs.
struct TvsSettings {
  std::string address = "0.0.0.0";
  std::uint16_t port = kDefaultPort;  ///< 0: any free port (tests)
  int max_sessions = 2000;            ///< connections at once; more are closed at once
  std::chrono::seconds handshake_timeout{15};
  std::chrono::seconds max_session{300};  ///< no connection lives longer, however busy
  SessionLimits limits;                   ///< per message and per connection
  /// Where connections and requests are counted for /metrics; may be null.
  Metrics* metrics = nullptr;
};

/// The TLS context presenting the TVS certificate, as it is now: called once per connection, so
/// a regenerated certificate is presented from the next connection on.
using TlsSource = std::function<std::shared_ptr<asio::ssl::context>()>;

/// The TVS listener: accepts TCP on the TVS port, runs the TLS handshake with the TVS
/// certificate and one TvsServerSession per connection as a coroutine on its own strand. Answers
/// come from the trust store through one TrustCache, so changes made by `opencapf trust` in
/// another process are seen on the next request. A connection over the session cap is closed at
/// once with a logged reason.
class TvsServer {
 public:
  /// `tls` gives the context presenting the TVS certificate (net::MakeServerContext). `store`
  /// and `clock` must outlive the server.
  TvsServer(asio::io_context& io, TlsSource tls, store::Store& store, const Clock& clock,
            TvsSettings settings);
  /// The same with one fixed TLS context.
  TvsServer(asio::io_context& io, std::shared_ptr<asio::ssl::context> tls, store::Store& store,
            const Clock& clock, TvsSettings settings);

  /// Binds and listens; fails with the address and why (in use, permission denied).
  Status Listen() { return listener_.Listen(); }
  /// Starts accepting; sessions run on the io_context's threads.
  void Start() { listener_.Start(); }
  /// Stops accepting; sessions in flight finish or time out.
  void Stop() { listener_.Stop(); }
  /// The bound port (useful when asked for port 0).
  std::uint16_t port() const { return listener_.port(); }
  int active_sessions() const { return listener_.active(); }
  /// True while it accepts connections.
  bool listening() const { return listener_.accepting(); }
  /// The copy of the trust store the server answers from.
  TrustCache& trust() { return trust_; }

 private:
  /// What a connection keeps: the TLS context it was accepted with.
  struct Connection {
    std::shared_ptr<asio::ssl::context> tls;
  };
  asio::awaitable<void> Session(net::TlsStream& stream, const std::string& peer);

  TrustCache trust_;
  TvsSettings settings_;
  net::TlsListener<Connection> listener_;
};

}  // namespace opencapf::tvs
