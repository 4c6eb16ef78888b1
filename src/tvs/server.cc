#include "tvs/server.h"

#include <spdlog/spdlog.h>

#include "net/asio.h"

namespace opencapf::tvs {

namespace {

// Set false when the coroutine frame that owns a timer's captures ends: a handler already
// queued by then finds it false instead of touching a destroyed frame.
struct FrameGuard {
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  ~FrameGuard() { *alive = false; }
};

}  // namespace

TvsServer::TvsServer(asio::io_context& io, TlsSource tls, store::Store& store, const Clock& clock,
                     TvsSettings settings)
    : io_(io),
      tls_(std::move(tls)),
      trust_(store, clock),
      settings_(std::move(settings)),
      acceptor_(io) {}

TvsServer::TvsServer(asio::io_context& io, std::shared_ptr<asio::ssl::context> tls,
                     store::Store& store, const Clock& clock, TvsSettings settings)
    : TvsServer(
          io, [tls = std::move(tls)] { return tls; }, store, clock, std::move(settings)) {}

Status TvsServer::Listen() {
  asio::error_code ec;
  auto address = asio::ip::make_address(settings_.address, ec);
  if (ec) return Fail("TVS listen address '" + settings_.address + "' is not an IP address");
  asio::ip::tcp::endpoint endpoint(address, settings_.port);
  const std::string where = settings_.address + ":" + std::to_string(settings_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail("TVS cannot listen on " + where + ": " + ec.message() +
                (ec == asio::error::access_denied ? " (ports below 1024 need root or "
                                                    "CAP_NET_BIND_SERVICE)"
                 : ec == asio::error::address_in_use
                     ? " (is another TVS, or a CUCM, running here? try --tvs-port 12445)"
                     : ""));
  }
  return Status::Ok();
}

std::uint16_t TvsServer::port() const {
  asio::error_code ec;
  auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void TvsServer::Start() { asio::co_spawn(io_, AcceptLoop(), asio::detached); }

void TvsServer::Stop() {
  asio::post(io_, [this] {
    asio::error_code ignored;
    acceptor_.close(ignored);
  });
}

asio::awaitable<void> TvsServer::AcceptLoop() {
  while (acceptor_.is_open()) {
    // Each connection on a strand of its own; named first (GCC 12 and co_await temporaries).
    auto strand = asio::make_strand(io_);
    auto [ec, socket] = co_await acceptor_.async_accept(strand, net::kAwaitTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      spdlog::warn("tvs: accept failed: {}", ec.message());
      continue;
    }
    if (active_->load() >= settings_.max_sessions) {
      asio::error_code ignored;
      auto peer = socket.remote_endpoint(ignored);
      spdlog::warn("tvs: {}:{} refused: {} connections already open (tvs.max_sessions)",
                   peer.address().to_string(), peer.port(), settings_.max_sessions);
      socket.close(ignored);
      continue;
    }
    ++*active_;
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Handle(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> TvsServer::Handle(asio::ip::tcp::socket socket) {
  struct Done {
    std::shared_ptr<std::atomic<int>> active;
    ~Done() { --*active; }
  } done{active_};
  std::string peer = "unknown";
  try {
    asio::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (!ec) peer = remote.address().to_string() + ":" + std::to_string(remote.port());
    // This connection keeps the context it started with, whatever a reload does meanwhile.
    const std::shared_ptr<asio::ssl::context> tls = tls_();
    if (!tls) {
      spdlog::error("tvs: {} refused: no TLS context for the TVS certificate", peer);
      co_return;
    }
    TlsStream stream(std::move(socket), *tls);
    FrameGuard frame;

    // A whole connection never outlives max_session, whatever the phone does.
    asio::steady_timer lifetime(stream.get_executor());
    lifetime.expires_after(settings_.max_session);
    lifetime.async_wait([&stream, alive = frame.alive](const asio::error_code& e) {
      if (e || !*alive) return;
      asio::error_code ignored;
      stream.lowest_layer().close(ignored);
    });

    asio::steady_timer handshake_timer(stream.get_executor());
    bool handshake_timed_out = false;
    handshake_timer.expires_after(settings_.handshake_timeout);
    handshake_timer.async_wait([&, alive = frame.alive](const asio::error_code& e) {
      if (e || !*alive) return;
      handshake_timed_out = true;
      asio::error_code ignored;
      stream.lowest_layer().cancel(ignored);
    });
    auto [hs_ec] =
        co_await stream.async_handshake(asio::ssl::stream_base::server, net::kAwaitTuple);
    handshake_timer.cancel();
    if (hs_ec) {
      spdlog::info("tvs: {} TLS handshake failed: {}", peer,
                   handshake_timed_out ? "timed out" : hs_ec.message());
      lifetime.cancel();
      co_return;
    }

    TvsServerSession session(stream, trust_, settings_.limits, peer);
    SessionReport report = co_await session.Run();
    // Requests are logged one line each as they are answered; a connection that ended
    // otherwise than by the phone closing it gets a line saying why.
    if (!report.clean) {
      spdlog::info("tvs: {} connection ended after {} request{} ({} ms): {}", peer, report.requests,
                   report.requests == 1 ? "" : "s", report.duration.count(), report.reason);
    }

    // Close politely but never wait long for the phone's close_notify.
    handshake_timer.expires_after(std::chrono::seconds(2));
    handshake_timer.async_wait([&stream, alive = frame.alive](const asio::error_code& e) {
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
    spdlog::error("tvs: connection {} ended by an internal error: {}", peer, e.what());
  }
}

}  // namespace opencapf::tvs
