#include "tvs/server.h"

#include <spdlog/spdlog.h>

#include "net/asio.h"

namespace opencapf::tvs {

TvsServer::TvsServer(asio::io_context& io, TlsSource tls, store::Store& store, const Clock& clock,
                     TvsSettings settings)
    : trust_(store, clock),
      settings_(std::move(settings)),
      listener_(
          io,
          net::TlsListenSettings{"tvs", settings_.address, settings_.port, settings_.max_sessions,
                                 settings_.handshake_timeout, settings_.max_session, "--tvs-port"},
          [tls = std::move(tls)] {
            // This connection keeps the context it started with, whatever a reload does.
            return std::make_shared<const Connection>(Connection{tls()});
          },
          [this](net::TlsStream& stream, const Connection&, const std::string& peer) {
            return Session(stream, peer);
          }) {}

TvsServer::TvsServer(asio::io_context& io, std::shared_ptr<asio::ssl::context> tls,
                     store::Store& store, const Clock& clock, TvsSettings settings)
    : TvsServer(
          io, [tls = std::move(tls)] { return tls; }, store, clock, std::move(settings)) {}

asio::awaitable<void> TvsServer::Session(net::TlsStream& stream, const std::string& peer) {
  net::TlsChannelStream channel(stream);
  TvsServerSession session(channel, trust_, settings_.limits, peer);
  SessionReport report = co_await session.Run();
  if (settings_.metrics != nullptr) {
    settings_.metrics->Count("opencapf_tvs_connections_total",
                             {{"result", report.clean ? "closed" : "error"}});
    settings_.metrics->Count("opencapf_tvs_requests_total", {},
                             static_cast<std::int64_t>(report.requests));
  }
  // Requests are logged one line each as they are answered; a connection that ended otherwise
  // than by the phone closing it gets a line saying why.
  if (!report.clean) {
    spdlog::info("tvs: {} connection ended after {} request{} ({} ms): {}", peer, report.requests,
                 report.requests == 1 ? "" : "s", report.duration.count(), report.reason);
  }
}

}  // namespace opencapf::tvs
