#include "service/capf_server.h"

#include <spdlog/spdlog.h>

namespace opencapf::service {

CapfServer::CapfServer(asio::io_context& io, CapfEndpointSource endpoint, store::Store& store,
                       const Clock& clock, capf::SessionLimits limits, CapfListenSettings settings)
    : store_(store),
      clock_(clock),
      limits_(limits),
      metrics_(settings.metrics),
      on_completed_(settings.on_completed),
      listener_(
          io,
          net::TlsListenSettings{"capf", settings.address, settings.port, settings.max_sessions,
                                 settings.handshake_timeout, settings.max_session, "--capf-port"},
          std::move(endpoint),
          [this](net::TlsStream& stream, const CapfEndpoint& state, const std::string& peer) {
            return Session(stream, state, peer);
          }) {}

CapfServer::~CapfServer() {
  const std::size_t calls = store_.calls(), batches = store_.batches();
  if (calls > 0) {
    spdlog::info("capf: {} store calls made in {} batches ({:.1f} per batch)", calls, batches,
                 static_cast<double>(calls) / static_cast<double>(batches));
  }
}

asio::awaitable<void> CapfServer::Session(net::TlsStream& stream, const CapfEndpoint& endpoint,
                                          const std::string& peer) {
  net::TlsChannelStream channel(stream);
  capf::CapfServerSession session(channel, endpoint.authority, store_, clock_, limits_, peer);
  capf::SessionReport report = co_await session.Run();
  spdlog::info("capf: session {} device={} operation={} result={} duration={}ms reason: {}", peer,
               report.device.empty() ? "-" : report.device, report.operation, report.result,
               report.duration.count(), report.reason);
  if (on_completed_ && report.result == "success") on_completed_();
  if (metrics_ != nullptr) {
    metrics_->Count("opencapf_capf_sessions_total",
                    {{"operation", report.operation}, {"result", report.result}});
    metrics_->Count("opencapf_capf_session_milliseconds_total", {},
                    static_cast<std::int64_t>(report.duration.count()));
  }
}

}  // namespace opencapf::service
