#include "service/capf_server.h"

#include <spdlog/spdlog.h>

#include "net/asio.h"

namespace opencapf::service {

CapfServer::CapfServer(asio::io_context& io, CapfEndpointSource endpoint, store::Store& store,
                       const Clock& clock, capf::SessionLimits limits, CapfListenSettings settings)
    : io_(io),
      endpoint_(std::move(endpoint)),
      store_(store),
      clock_(clock),
      limits_(limits),
      settings_(std::move(settings)),
      acceptor_(io) {}

Status CapfServer::Listen() {
  asio::error_code ec;
  auto address = asio::ip::make_address(settings_.address, ec);
  if (ec) return Fail("CAPF listen address '" + settings_.address + "' is not an IP address");
  asio::ip::tcp::endpoint endpoint(address, settings_.port);
  const std::string where = settings_.address + ":" + std::to_string(settings_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail("CAPF cannot listen on " + where + ": " + ec.message() +
                (ec == asio::error::access_denied ? " (ports below 1024 need root or "
                                                    "CAP_NET_BIND_SERVICE; try --capf-port 13804)"
                                                  : ""));
  }
  return Status::Ok();
}

std::uint16_t CapfServer::port() const {
  asio::error_code ec;
  auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void CapfServer::Start() { asio::co_spawn(io_, AcceptLoop(), asio::detached); }

void CapfServer::Stop() {
  asio::post(io_, [this] {
    asio::error_code ignored;
    acceptor_.close(ignored);
  });
}

asio::awaitable<void> CapfServer::AcceptLoop() {
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), net::kAwaitTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      spdlog::warn("capf: accept failed: {}", ec.message());
      continue;
    }
    if (active_->load() >= settings_.max_sessions) {
      asio::error_code ignored;
      auto peer = socket.remote_endpoint(ignored);
      spdlog::warn("capf: {}:{} refused: {} sessions already running (capf.max_sessions)",
                   peer.address().to_string(), peer.port(), settings_.max_sessions);
      socket.close(ignored);
      continue;
    }
    ++*active_;
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Handle(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> CapfServer::Handle(asio::ip::tcp::socket socket) {
  struct Done {
    std::shared_ptr<std::atomic<int>> active;
    ~Done() { --*active; }
  } done{active_};
  std::string peer = "unknown";
  try {
    asio::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (!ec) peer = remote.address().to_string() + ":" + std::to_string(remote.port());
    const std::shared_ptr<const CapfEndpoint> endpoint = endpoint_();
    capf::TlsStream stream(std::move(socket), *endpoint->tls);
    // Timer handlers already queued when this coroutine ends still run: they check `alive`
    // before touching the stream, which dies with this frame.
    auto alive = std::make_shared<bool>(true);
    struct Dead {
      std::shared_ptr<bool> alive;
      ~Dead() { *alive = false; }
    } dead{alive};
    auto handshake_timed_out = std::make_shared<bool>(false);

    // A whole session never outlives max_session, whatever the phone does.
    asio::steady_timer lifetime(stream.get_executor());
    lifetime.expires_after(settings_.max_session);
    lifetime.async_wait([&stream, alive](const asio::error_code& e) {
      if (e || !*alive) return;
      asio::error_code ignored;
      stream.lowest_layer().close(ignored);
    });

    asio::steady_timer handshake_timer(stream.get_executor());
    handshake_timer.expires_after(settings_.handshake_timeout);
    handshake_timer.async_wait([&stream, alive, handshake_timed_out](const asio::error_code& e) {
      if (e || !*alive) return;
      *handshake_timed_out = true;
      asio::error_code ignored;
      stream.lowest_layer().cancel(ignored);
    });
    auto [hs_ec] =
        co_await stream.async_handshake(asio::ssl::stream_base::server, net::kAwaitTuple);
    handshake_timer.cancel();
    if (hs_ec) {
      spdlog::info("capf: {} TLS handshake failed: {}", peer,
                   *handshake_timed_out ? "timed out" : hs_ec.message());
      lifetime.cancel();
      co_return;
    }

    capf::CapfServerSession session(stream, endpoint->authority, store_, clock_, limits_, peer);
    capf::SessionReport report = co_await session.Run();
    spdlog::info("capf: session {} device={} operation={} result={} duration={}ms reason: {}", peer,
                 report.device.empty() ? "-" : report.device, report.operation, report.result,
                 report.duration.count(), report.reason);

    // Close politely but never wait long for the phone's close_notify.
    handshake_timer.expires_after(std::chrono::seconds(2));
    handshake_timer.async_wait([&stream, alive](const asio::error_code& e) {
      if (e || !*alive) return;
      asio::error_code ignored;
      stream.lowest_layer().cancel(ignored);
    });
    (void)co_await stream.async_shutdown(net::kAwaitTuple);
    handshake_timer.cancel();
    lifetime.cancel();
    asio::error_code ignored;
    stream.lowest_layer().close(ignored);
  } catch (const std::exception& e) {
    spdlog::error("capf: session {} ended by an internal error: {}", peer, e.what());
  }
}

}  // namespace opencapf::service
