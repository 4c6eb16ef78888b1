// `/`: the dashboard: are the services up, where do the phones stand, what needs attention.
#include <spdlog/spdlog.h>

#include <map>

#include "admin/guard.h"
#include "admin/http.h"
#include "admin/layout.h"
#include "admin/pages.h"
#include "admin/served_itl.h"
#include "pki/certificate.h"
#include "report/report.h"
#include "service/data_dir.h"
#include "service/renewal.h"
#include "store/cluster.h"
#include "store/device_edit.h"

namespace opencapf::admin::pages {

namespace {

constexpr std::time_t kDay = 86400;
// The CAPF report's default window for LSCs: what the dashboard calls "expiring soon".
constexpr long long kLscWarnDays = report::kDefaultExpiringWindow / kDay;

std::string Services(const AdminContext& ctx) {
  std::string html = "<h2>Services</h2>\n";
  if (!ctx.services) {
    return html +
           "<p class=\"muted\" id=\"services-unknown\">This administration server runs without "
           "the phone services, so their state is not known here.</p>\n";
  }
  const ServiceState s = ctx.services();
  struct Row {
    const char* name;
    const char* what;
    bool up;
    std::uint16_t port;
    std::string active;
  };
  const Row rows[] = {
      {"CAPF", "TCP, TLS: issues LSCs", s.capf, s.capf_port,
       std::to_string(s.capf_active) + " sessions"},
      {"TFTP", "UDP: serves ITLFile.tlv and configurations", s.tftp, s.tftp_port,
       std::to_string(s.tftp_active) + " transfers"},
      {"TVS", "TCP, TLS: answers certificate-trust queries", s.tvs, s.tvs_port,
       std::to_string(s.tvs_active) + " sessions"},
  };
  html +=
      "<table id=\"services\"><thead><tr><th>Service</th><th>Port</th><th>State</th>"
      "<th>Now</th><th>What it does</th></tr></thead><tbody>\n";
  for (const Row& r : rows) {
    html += std::string("<tr data-service=\"") + r.name + "\"><td>" + r.name + "</td><td>" +
            (r.port ? std::to_string(r.port) : "-") + "</td><td class=\"" +
            (r.up ? "up\">Running" : "down\">Not running") + "</td><td>" + r.active + "</td><td>" +
            r.what + "</td></tr>\n";
  }
  return html + "</tbody></table>\n";
}

// The nodes sharing the store (a cluster on PostgreSQL); nothing for a one-node SQLite store.
std::string Nodes(AdminContext& ctx, std::time_t now) {
  store::Cluster* cluster = ctx.store.cluster();
  if (cluster == nullptr) return "";
  auto record = cluster->Record();
  auto nodes = cluster->Nodes();
  auto generation = cluster->CertificatesGeneration();
  if (!record.ok() || !nodes.ok() || !generation.ok()) {
    const std::string why = !record.ok()  ? record.message()
                            : !nodes.ok() ? nodes.message()
                                          : generation.message();
    return "<h2>Cluster</h2>\n" + ErrorBox("The cluster cannot be read: " + why);
  }
  if (!*record) return "";
  const std::string reference = store::ClusterItlSha256(*nodes, *generation, now);
  std::string html = "<h2>Cluster " + HtmlEscape((*record)->id) + "</h2>\n" +
                     "<table id=\"nodes\"><thead><tr><th>Node</th><th>Address</th><th>Ports"
                     "</th><th>Version</th><th>Last seen</th><th>Generation</th><th>ITL</th>"
                     "</tr></thead><tbody>\n";
  for (const auto& n : *nodes) {
    const bool fresh = store::NodeAnswering(n, now);
    const bool matches = n.itl_sha256 == reference;
    html += "<tr data-node=\"" + HtmlEscape(n.name) + "\"><td>" + HtmlEscape(n.name) + "</td><td>" +
            HtmlEscape(n.address) + "</td><td>" + HtmlEscape(n.ports) + "</td><td>" +
            HtmlEscape(n.version) + "</td><td class=\"" + (fresh ? "up" : "down") + "\">" +
            std::to_string(now - n.last_seen) + " s ago" + (fresh ? "" : " (not answering)") +
            "</td><td>" + std::to_string(n.generation) + "</td><td class=\"" +
            (matches ? "up\">the cluster's" : "down\">another ITL") + " (" +
            HtmlEscape(n.itl_sha256.substr(0, 12)) + ")</td></tr>\n";
  }
  if (nodes->empty()) {
    html += "<tr><td colspan=\"7\" class=\"muted\">No node has reported yet.</td></tr>\n";
  }
  return html + "</tbody></table>\n";
}

std::string Card(const std::string& href, const std::string& kind, std::size_t count,
                 const std::string& label, const std::string& id) {
  return "<a class=\"card " + kind + "\" id=\"" + id + "\" href=\"" + HtmlEscape(href) +
         "\"><span class=\"count\">" + std::to_string(count) + "</span>" + HtmlEscape(label) +
         "</a>\n";
}

std::string Phones(const report::Report& r) {
  const report::Summary& s = r.summary;
  std::string html = "<h2>Phones by LSC Status</h2>\n<div class=\"cards\">\n";
  html += Card("/devices?lsc_status=installed", "ok", s.installed, "Installed", "count-installed");
  html += Card("/devices?lsc_status=pending", "warn", s.pending, "Pending", "count-pending");
  html += Card("/devices?lsc_status=not-installed", "none", s.not_installed, "Not Installed",
               "count-not-installed");
  html += Card("/devices", "none", s.devices, "All phones", "count-all");
  html += "</div>\n<h2>Certificate Operations</h2>\n<div class=\"cards\">\n";
  html += Card("/devices?operation_status=" + QueryValue(store::kStatusPending), "warn",
               s.operations_pending, "Operation Pending", "count-operation-pending");
  // One card per kind of failure: the list's filter matches "Upgrade Failed" and the like.
  for (std::string_view kind : {"Upgrade Failed", "Delete Failed", "Troubleshoot Failed"}) {
    std::size_t n = 0;
    for (const auto& row : r.rows) n += row.operation_status.starts_with(kind) ? 1 : 0;
    std::string id = "count-" + Lower(kind);
    for (char& c : id) c = c == ' ' ? '-' : c;
    html += Card("/devices?operation_status=" + QueryValue(kind), n ? "bad" : "none", n,
                 std::string(kind), id);
  }
  return html + "</div>\n";
}

std::string ServiceCertificates(AdminContext& ctx) {
  const int warn_days = ctx.config.expiry.warn_days;
  std::string html =
      "<h2>Service certificates expiring within " + std::to_string(warn_days) + " days</h2>\n";
  auto infos = DescribeCertificates(ctx);
  if (!infos.ok()) return html + ErrorBox(infos.message());
  std::string rows;
  for (const auto& i : *infos) {
    if (i.days_left > warn_days) continue;
    rows += std::string("<tr class=\"") + (i.days_left < 0 ? "expired" : "warn") + "\"><td>" +
            HtmlEscape(i.name) + "</td><td>" + HtmlEscape(i.role) + "</td><td>" +
            HtmlEscape(i.certificate.Subject()) + "</td><td class=\"time\">" +
            TimeText(i.certificate.not_after()) + "</td><td>" + DaysText(i.days_left) +
            "</td></tr>\n";
  }
  if (rows.empty()) {
    return html +
           "<p id=\"certificates-ok\">None: every service certificate is valid for more "
           "than " +
           std::to_string(warn_days) +
           " days. <a href=\"/certificates\">All certificates</a></p>\n";
  }
  return html +
         "<table id=\"expiring-certificates\"><thead><tr><th>Name</th><th>Role</th>"
         "<th>Subject</th><th>Valid until</th><th>Days left</th></tr></thead><tbody>\n" +
         rows +
         "</tbody></table>\n<p class=\"hint\">Regenerate one with <code>opencapf cert regenerate "
         "NAME</code> in a maintenance window (phones reset when the CAPF certificate "
         "changes).</p>\n";
}

std::string ExpiringLscs(const report::Report& r, std::time_t now) {
  std::string html = "<h2>LSCs expiring within " + std::to_string(kLscWarnDays) + " days</h2>\n";
  std::string rows;
  std::size_t shown = 0;
  constexpr std::size_t kMaxShown = 20;
  for (const auto& row : r.rows) {
    if (!row.lsc_not_after || *row.lsc_not_after - now > kLscWarnDays * kDay) continue;
    if (++shown > kMaxShown) continue;
    const long long days = store::DaysLeft(*row.lsc_not_after, now);
    rows += std::string("<tr class=\"") + (days < 0 ? "expired" : "warn") + "\" data-device=\"" +
            HtmlEscape(row.name) + "\"><td><a href=\"/devices/" + HtmlEscape(row.name) + "\">" +
            HtmlEscape(row.name) + "</a></td><td class=\"mono\">" + HtmlEscape(row.lsc_serial) +
            "</td><td class=\"time\">" + TimeText(row.lsc_not_after) + "</td><td>" +
            DaysText(days) + "</td></tr>\n";
  }
  if (shown == 0) {
    return html + "<p id=\"lscs-ok\">None.</p>\n";
  }
  html +=
      "<table id=\"expiring-lscs\"><thead><tr><th>Device Name</th><th>LSC Serial</th>"
      "<th>Valid until</th><th>Days left</th></tr></thead><tbody>\n" +
      rows + "</tbody></table>\n";
  if (shown > kMaxShown) {
    html += "<p>" + std::to_string(shown - kMaxShown) + " more: ";
  } else {
    html += "<p>";
  }
  return html + "<a href=\"/report?expiring_within=" + std::to_string(kLscWarnDays) +
         "d\">the CAPF report of expiring LSCs</a></p>\n";
}

// The renewal policy's plan ([renewal], docs/renewal.md), as `report --renewals` shows it.
std::string Renewals(AdminContext& ctx, std::time_t now) {
  const auto& policy = ctx.config.renewal;
  std::string html = "<h2>Renewals</h2>\n";
  if (policy.before_days <= 0) {
    return html +
           "<p id=\"renewals-off\">Off (<code>[renewal] before_days = 0</code>): LSCs are "
           "renewed by hand.</p>\n";
  }
  auto capf = pki::Certificate::Load(ctx.dir.certificate(service::kCapf));
  if (!capf.ok()) return html + ErrorBox("The CAPF certificate cannot be read: " + capf.message());
  auto plan = service::CurrentRenewalPlan(ctx.store, policy, now, capf->not_after());
  if (!plan.ok()) return html + ErrorBox("The renewal plan cannot be read: " + plan.message());
  html += "<p>LSCs ending within " + std::to_string(policy.before_days) +
          " days are renewed by their LSC, at most " + std::to_string(policy.max_per_hour) +
          " an hour, each within " + std::to_string(policy.window_hours) + " h.</p>\n";
  if (plan->empty()) return html + "<p id=\"renewals-none\">None due.</p>\n";
  std::string rows;
  std::size_t shown = 0;
  constexpr std::size_t kMaxShown = 20;
  for (const auto& p : *plan) {
    if (++shown > kMaxShown) continue;
    std::string what = p.scheduled             ? "scheduled, waiting for the phone"
                       : p.scheduled_at <= now ? "due now"
                                               : "at " + pki::FormatUtc(p.scheduled_at);
    if (!p.blocked.empty()) what = "not scheduled: " + p.blocked;
    if (!p.reachable) what += "; its LSC ends first: renew it by another mode";
    rows += std::string("<tr class=\"") + (p.reachable && p.blocked.empty() ? "" : "warn") +
            "\" data-device=\"" + HtmlEscape(p.device) + "\"><td><a href=\"/devices/" +
            HtmlEscape(p.device) + "\">" + HtmlEscape(p.device) + "</a></td><td class=\"mono\">" +
            HtmlEscape(p.serial_hex) + "</td><td class=\"time\">" +
            HtmlEscape(pki::FormatUtc(p.lsc_expires)) + "</td><td>" + HtmlEscape(what) +
            "</td></tr>\n";
  }
  html +=
      "<table id=\"renewals\"><thead><tr><th>Device Name</th><th>LSC Serial</th>"
      "<th>LSC ends</th><th>Renewal</th></tr></thead><tbody>\n" +
      rows + "</tbody></table>\n";
  if (shown > kMaxShown) {
    html += "<p>" + std::to_string(shown - kMaxShown) +
            " more: <code>opencapf report --renewals</code></p>\n";
  }
  return html;
}

}  // namespace

void RegisterDashboard(httplib::Server& server, AdminContext& ctx, Flashes flashes) {
  server.Get("/", PageRoute(ctx, [&ctx, flashes](const httplib::Request&, httplib::Response& res,
                                                 const Principal& who) {
               const std::time_t now = ctx.clock.Now();
               std::string body = flashes->TakeHtml(who) + Services(ctx) + Nodes(ctx, now);
               auto built = report::Build(ctx.store, {}, now, kLscWarnDays * kDay);
               if (!built.ok()) {
                 spdlog::error("admin: dashboard: {}", built.message());
                 body += ErrorBox("The device store could not be read: " + built.message());
               } else {
                 body += Phones(*built);
               }
               body += ServiceCertificates(ctx);
               if (built.ok()) body += ExpiringLscs(*built, now);
               body += Renewals(ctx, now);
               SendHtml(res, 200, Layout(&who, "Dashboard", Nav::kDashboard, body));
             }));
}

}  // namespace opencapf::admin::pages
