// GET /healthz (no credentials: it says only whether the services are up) and GET /metrics
// (Prometheus text format; a bearer token, as Prometheus' `authorization` setting sends).
#include <spdlog/spdlog.h>

#include "admin/guard.h"
#include "admin/http.h"
#include "admin/routes.h"
#include "pki/certificate.h"
#include "service/certificates.h"
#include "store/device_edit.h"

namespace opencapf::admin {

namespace {

std::string Gauge(std::string_view name, std::string_view help) {
  return "# HELP " + std::string(name) + " " + std::string(help) + "\n# TYPE " + std::string(name) +
         " gauge\n";
}

std::string RenderMetrics(AdminContext& ctx) {
  const std::time_t now = ctx.clock.Now();
  const ServiceState state = ctx.services ? ctx.services() : ServiceState{};
  std::string out = ctx.metrics.Render();

  // TFTP keeps its own counters (it answers from UDP handlers that never touch Metrics).
  const tftp::TftpStats& t = state.tftp_stats;
  out +=
      "# HELP opencapf_tftp_transfers_total TFTP transfers by result.\n"
      "# TYPE opencapf_tftp_transfers_total counter\n";
  out += Metrics::Sample("opencapf_tftp_transfers_total", {{"result", "started"}},
                         static_cast<double>(t.transfers_started));
  out += Metrics::Sample("opencapf_tftp_transfers_total", {{"result", "completed"}},
                         static_cast<double>(t.transfers_completed));
  out += Metrics::Sample("opencapf_tftp_transfers_total", {{"result", "failed"}},
                         static_cast<double>(t.transfers_failed));
  out +=
      "# HELP opencapf_tftp_requests_refused_total TFTP requests answered with an error.\n"
      "# TYPE opencapf_tftp_requests_refused_total counter\n";
  out += Metrics::Sample("opencapf_tftp_requests_refused_total", {},
                         static_cast<double>(t.requests_refused));
  out +=
      "# HELP opencapf_tftp_requests_deferred_total TFTP requests left unanswered at a transfer "
      "cap, for the client to send again.\n"
      "# TYPE opencapf_tftp_requests_deferred_total counter\n";
  out += Metrics::Sample("opencapf_tftp_requests_deferred_total", {},
                         static_cast<double>(t.requests_deferred));
  out +=
      "# HELP opencapf_tftp_bytes_sent_total File bytes sent over TFTP.\n"
      "# TYPE opencapf_tftp_bytes_sent_total counter\n";
  out += Metrics::Sample("opencapf_tftp_bytes_sent_total", {}, static_cast<double>(t.bytes_sent));

  // HTTP provisioning keeps its own counters too.
  const http::HttpStats& h = state.http_stats;
  out +=
      "# HELP opencapf_http_responses_total HTTP provisioning responses, by what they were.\n"
      "# TYPE opencapf_http_responses_total counter\n";
  for (auto [result, count] :
       {std::pair{"file", h.files_sent}, std::pair{"not_modified", h.not_modified},
        std::pair{"client_error", h.client_errors}, std::pair{"server_error", h.server_errors}}) {
    out += Metrics::Sample("opencapf_http_responses_total", {{"result", result}},
                           static_cast<double>(count));
  }
  out +=
      "# HELP opencapf_http_refused_total HTTP connections answered 503 over the per-address "
      "limit.\n"
      "# TYPE opencapf_http_refused_total counter\n";
  out += Metrics::Sample("opencapf_http_refused_total", {},
                         static_cast<double>(h.connections_refused));
  out +=
      "# HELP opencapf_http_timeouts_total HTTP request heads that did not arrive in time, and "
      "responses cut at their time limit.\n"
      "# TYPE opencapf_http_timeouts_total counter\n";
  out += Metrics::Sample("opencapf_http_timeouts_total", {}, static_cast<double>(h.timeouts));
  out +=
      "# HELP opencapf_http_bytes_sent_total File bytes sent over HTTP.\n"
      "# TYPE opencapf_http_bytes_sent_total counter\n";
  out += Metrics::Sample("opencapf_http_bytes_sent_total", {}, static_cast<double>(h.bytes_sent));

  out += Gauge("opencapf_up", "Whether each service is listening (1) or not (0).");
  for (auto [service, up] : {std::pair{"capf", state.capf}, std::pair{"tftp", state.tftp},
                             std::pair{"http", state.http}, std::pair{"tvs", state.tvs}}) {
    out += Metrics::Sample("opencapf_up", {{"service", service}}, up ? 1 : 0);
  }
  out +=
      Gauge("opencapf_in_flight", "CAPF and TVS connections, and TFTP transfers, in progress now.");
  out += Metrics::Sample("opencapf_in_flight", {{"service", "capf"}}, state.capf_active);
  out += Metrics::Sample("opencapf_in_flight", {{"service", "tftp"}}, state.tftp_active);
  out += Metrics::Sample("opencapf_in_flight", {{"service", "tvs"}}, state.tvs_active);

  out += Gauge("opencapf_certificate_days_left",
               "Whole days until each service certificate expires (negative once expired).");
  for (const auto& name : service::ServiceCertificateNames()) {
    if (service::MissingOptionalCertificate(ctx.dir, name)) continue;
    auto cert = pki::Certificate::Load(ctx.dir.certificate(name));
    if (!cert.ok()) continue;
    out += Metrics::Sample("opencapf_certificate_days_left", {{"certificate", name}},
                           static_cast<double>(store::DaysLeft(cert->not_after(), now)));
  }

  auto devices = ctx.store.List({});
  if (devices.ok()) {
    std::size_t installed = 0, not_installed = 0, pending = 0, scheduled = 0, failed = 0;
    std::size_t expiring = 0;
    for (const auto& d : *devices) {
      installed += d.lsc_status == store::LscStatus::kInstalled;
      not_installed += d.lsc_status == store::LscStatus::kNotInstalled;
      pending += d.lsc_status == store::LscStatus::kPending;
      scheduled += d.operation_status == store::kStatusPending;
      failed += d.operation_status.find(" Failed") != std::string::npos;
      if (d.lsc && d.lsc->not_after - now < 30 * 86400) ++expiring;
    }
    out += Gauge("opencapf_devices", "Devices in the store, by LSC status.");
    out += Metrics::Sample("opencapf_devices", {{"lsc_status", "installed"}},
                           static_cast<double>(installed));
    out += Metrics::Sample("opencapf_devices", {{"lsc_status", "not-installed"}},
                           static_cast<double>(not_installed));
    out += Metrics::Sample("opencapf_devices", {{"lsc_status", "pending"}},
                           static_cast<double>(pending));
    out += Gauge("opencapf_operations", "Devices whose last operation is pending or failed.");
    out += Metrics::Sample("opencapf_operations", {{"status", "pending"}},
                           static_cast<double>(scheduled));
    out +=
        Metrics::Sample("opencapf_operations", {{"status", "failed"}}, static_cast<double>(failed));
    out += Gauge("opencapf_lscs_expiring_30d", "Installed LSCs expiring within 30 days.");
    out += Metrics::Sample("opencapf_lscs_expiring_30d", {}, static_cast<double>(expiring));
  } else {
    spdlog::error("admin: /metrics: {}", devices.message());
  }
  return out;
}

}  // namespace

void RegisterHealthAndMetrics(httplib::Server& server, AdminContext& ctx) {
  server.Get("/healthz", [&ctx](const httplib::Request&, httplib::Response& res) {
    const ServiceState s = ctx.services ? ctx.services() : ServiceState{};
    const bool store_ok = ctx.store.TrustGeneration().ok();
    const bool up = s.capf && s.tftp && s.tvs && store_ok;
    nlohmann::ordered_json body = {
        {"status", up         ? "ok"
                   : store_ok ? "degraded"
                              : "degraded: store unreachable"},
        {"services",
         {{"capf", {{"up", s.capf}, {"port", s.capf_port}}},
          {"tftp", {{"up", s.tftp}, {"port", s.tftp_port}}},
          {"tvs", {{"up", s.tvs}, {"port", s.tvs_port}}},
          {"admin", {{"up", true}, {"port", s.admin_port}}}}},
        {"store", store_ok ? "ok" : "failing"},
    };
    SendJson(res, up ? 200 : 503, body);
  });
  server.Get("/metrics", ApiRoute(ctx, [&ctx](const httplib::Request&, httplib::Response& res,
                                              const Principal&) {
               res.set_content(RenderMetrics(ctx), "text/plain; version=0.0.4; charset=utf-8");
             }));
}

}  // namespace opencapf::admin
