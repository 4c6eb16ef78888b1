#pragma once

// The part every TLS service shares: accept on a port, cap the connections, run the handshake
// under a deadline, bound each connection's life, hand the stream to the service's session,
// close politely. CAPF and TVS differ only in what the session does.
#include <spdlog/spdlog.h>

#include <asio/ssl.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "net/asio.h"

namespace opencapf::net {

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

struct TlsListenSettings {
  std::string service;  ///< "capf", "tvs": the log prefix
  std::string address = "0.0.0.0";
  std::uint16_t port = 0;      ///< 0: any free port (tests)
  int max_connections = 2000;  ///< more are closed at once, with a logged reason
  std::chrono::seconds handshake_timeout{15};
  std::chrono::seconds max_connection{1200};  ///< no connection lives longer
  std::string port_flag;  ///< the flag that moves the port, for messages: "--capf-port"
};

/// Accepts TLS connections and runs `handler` for each on a strand of its own. `State` is what
/// a connection keeps for its whole life (a certificate reload affects only later connections);
/// it has a member `std::shared_ptr<asio::ssl::context> tls` presenting the service certificate.
template <typename State>
class TlsListener {
 public:
  using Source = std::function<std::shared_ptr<const State>()>;
  using Handler =
      std::function<asio::awaitable<void>(TlsStream&, const State&, const std::string& peer)>;

  TlsListener(asio::io_context& io, TlsListenSettings settings, Source source, Handler handler)
      : io_(io),
        settings_(std::move(settings)),
        source_(std::move(source)),
        handler_(std::move(handler)),
        acceptor_(io) {}

  /// Binds and listens; fails with the address and why.
  Status Listen() {
    asio::error_code ec;
    auto address = asio::ip::make_address(settings_.address, ec);
    if (ec)
      return Fail(Upper() + " listen address '" + settings_.address + "' is not an IP address");
    asio::ip::tcp::endpoint endpoint(address, settings_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      std::string hint;
      if (ec == asio::error::access_denied) {
        hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
      } else if (ec == asio::error::address_in_use && !settings_.port_flag.empty()) {
        hint =
            " (is another server using it? choose another port with " + settings_.port_flag + ")";
      }
      return Fail(Upper() + " cannot listen on " + settings_.address + ":" +
                  std::to_string(settings_.port) + ": " + ec.message() + hint);
    }
    return Status::Ok();
  }

  void Start() { asio::co_spawn(io_, AcceptLoop(), asio::detached); }

  void Stop() {
    asio::post(io_, [this] {
      asio::error_code ignored;
      acceptor_.close(ignored);
    });
  }

  std::uint16_t port() const {
    asio::error_code ec;
    auto endpoint = acceptor_.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
  }
  int active() const { return active_->load(); }
  /// True while the accept loop runs: false before Start, after Stop, or if it ended on an
  /// error (what /healthz reports).
  bool accepting() const { return accepting_->load(); }

 private:
  std::string Upper() const {
    std::string out = settings_.service;
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }

  asio::awaitable<void> AcceptLoop() {
    struct Accepting {
      std::shared_ptr<std::atomic<bool>> flag;
      ~Accepting() { *flag = false; }
    } accepting{accepting_};
    *accepting_ = acceptor_.is_open();
    while (acceptor_.is_open()) {
      auto strand = asio::make_strand(io_);  // named: GCC 12 and co_await temporaries
      auto [ec, socket] = co_await acceptor_.async_accept(strand, kAwaitTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
        spdlog::warn("{}: accept failed: {}", settings_.service, ec.message());
        continue;
      }
      if (active_->load() >= settings_.max_connections) {
        asio::error_code ignored;
        auto peer = socket.remote_endpoint(ignored);
        spdlog::warn("{}: {}:{} refused: {} connections already open ({}.max_sessions)",
                     settings_.service, peer.address().to_string(), peer.port(),
                     settings_.max_connections, settings_.service);
        socket.close(ignored);
        continue;
      }
      // Every message is one small record, often right after another (the handshake's last
      // flight, then AUTH_REQUEST): with Nagle's algorithm the second waits for the peer's
      // delayed ACK, ~40 ms per session that no one is responsible for.
      asio::error_code nodelay;
      socket.set_option(asio::ip::tcp::no_delay(true), nodelay);
      ++*active_;
      auto executor = socket.get_executor();
      asio::co_spawn(executor, Handle(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Handle(asio::ip::tcp::socket socket) {
    // Shared with every connection: frames still pending when the io_context is destroyed
    // (after this listener) decrement it on their way out.
    struct Done {
      std::shared_ptr<std::atomic<int>> active;
      ~Done() { --*active; }
    } done{active_};
    std::string peer = "unknown";
    try {
      asio::error_code ec;
      auto remote = socket.remote_endpoint(ec);
      if (!ec) peer = remote.address().to_string() + ":" + std::to_string(remote.port());
      const std::shared_ptr<const State> state = source_();
      if (!state || !state->tls) {
        spdlog::error("{}: {} refused: no TLS context for the service certificate",
                      settings_.service, peer);
        co_return;
      }
      TlsStream stream(std::move(socket), *state->tls);
      // Timer handlers already queued when this frame ends still run: they check `alive`
      // before touching the stream, which dies with the frame.
      auto alive = std::make_shared<bool>(true);
      struct Dead {
        std::shared_ptr<bool> alive;
        ~Dead() { *alive = false; }
      } dead{alive};
      auto cut = [&stream, alive](bool close) {
        return [&stream, alive, close](const asio::error_code& e) {
          if (e || !*alive) return;
          asio::error_code ignored;
          if (close) {
            stream.lowest_layer().close(ignored);
          } else {
            stream.lowest_layer().cancel(ignored);
          }
        };
      };

      asio::steady_timer lifetime(stream.get_executor());
      lifetime.expires_after(settings_.max_connection);
      lifetime.async_wait(cut(true));

      asio::steady_timer timer(stream.get_executor());
      timer.expires_after(settings_.handshake_timeout);
      timer.async_wait(cut(false));
      auto [hs_ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAwaitTuple);
      const bool timed_out = timer.expiry() <= std::chrono::steady_clock::now();
      timer.cancel();
      if (hs_ec) {
        spdlog::info("{}: {} TLS handshake failed: {}", settings_.service, peer,
                     timed_out ? "timed out" : hs_ec.message());
        lifetime.cancel();
        co_return;
      }

      co_await handler_(stream, *state, peer);

      // Close politely but never wait long for the peer's close_notify.
      timer.expires_after(std::chrono::seconds(2));
      timer.async_wait(cut(false));
      (void)co_await stream.async_shutdown(kAwaitTuple);
      timer.cancel();
      lifetime.cancel();
      asio::error_code ignored;
      stream.lowest_layer().close(ignored);
    } catch (const std::exception& e) {
      spdlog::error("{}: connection {} ended by an internal error: {}", settings_.service, peer,
                    e.what());
    }
  }

  asio::io_context& io_;
  TlsListenSettings settings_;
  Source source_;
  Handler handler_;
  asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<std::atomic<int>> active_ = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<bool>> accepting_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace opencapf::net
