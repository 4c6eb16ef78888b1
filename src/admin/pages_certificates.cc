// `/certificates`: the service certificates (`opencapf cert list`), read-only, each PEM to
// download. Regenerating, CSRs and imports stay with the CLI and the API, which say what they do
// to phones.
#include <spdlog/spdlog.h>

#include "admin/guard.h"
#include "admin/http.h"
#include "admin/layout.h"
#include "admin/pages.h"
#include "admin/served_itl.h"
#include "service/certificates.h"

namespace opencapf::admin::pages {

namespace {

std::string InItl(const std::string& in_itl) {
  if (in_itl == "yes") return "Yes";
  if (in_itl == "no") return "<span class=\"status-failed\">No</span>";
  return "<span class=\"muted\">no ITL served</span>";
}

}  // namespace

void RegisterCertificates(httplib::Server& server, AdminContext& ctx) {
  server.Get("/certificates", PageRoute(ctx, [&ctx](const httplib::Request&, httplib::Response& res,
                                                    const Principal& who) {
               const int warn_days = ctx.config.expiry.warn_days;
               auto infos = DescribeCertificates(ctx);
               if (!infos.ok()) {
                 spdlog::error("admin: /certificates: {}", infos.message());
                 SendHtml(res, 500,
                          ErrorPage(who, "Certificates",
                                    "The certificates could not be read: " + infos.message()));
                 return;
               }
               std::string body =
                   "<table id=\"certificates\"><thead><tr><th>Name</th><th>Role</th>"
                   "<th>Subject</th><th>Key</th><th>Valid until</th><th>Days left</th>"
                   "<th>In ITL</th><th>SHA-256</th><th></th></tr></thead><tbody>\n";
               bool warned = false;
               for (const auto& i : *infos) {
                 const bool expired = i.days_left < 0;
                 const bool warn = i.days_left <= warn_days;
                 warned = warned || warn;
                 const std::string name = HtmlEscape(i.name);
                 body += "<tr data-certificate=\"" + name + "\"" +
                         (expired ? " class=\"expired\""
                          : warn  ? " class=\"warn\""
                                  : "") +
                         "><td>" + name + "</td><td>" + HtmlEscape(i.role) + "</td><td>" +
                         HtmlEscape(i.certificate.Subject()) + "</td><td>" + HtmlEscape(i.key) +
                         "</td><td class=\"time\">" + TimeText(i.certificate.not_after()) +
                         "</td><td class=\"days-left\">" + DaysText(i.days_left) + "</td><td>" +
                         InItl(i.in_itl) + "</td><td class=\"mono\">" + HtmlEscape(i.sha256) +
                         "</td><td><a href=\"/certificates/" + name + ".pem\" download>PEM</a>" +
                         (i.pending_key ? "<div class=\"hint\">a CSR key waits for its signed "
                                          "certificate</div>"
                                        : "") +
                         "</td></tr>\n";
                 for (const auto& c : i.chain) {
                   body += "<tr class=\"chain\"><td></td><td class=\"muted\">issued by</td><td>" +
                           HtmlEscape(c.Subject()) + "</td><td></td><td>" +
                           TimeText(c.not_after()) + "</td><td colspan=\"4\"></td></tr>\n";
                 }
               }
               body += "</tbody></table>\n";
               if (warned) {
                 body +=
                     "<p class=\"error\" role=\"alert\" id=\"expiry-warning\">Highlighted "
                     "certificates expire within " +
                     std::to_string(warn_days) +
                     " days (the [expiry] warn_days setting). Regenerate one with "
                     "<code>opencapf cert regenerate NAME</code>, or have a CA sign a new "
                     "one (<code>opencapf cert csr</code>, <code>opencapf cert "
                     "import</code>), in a maintenance window: phones reset when the CAPF "
                     "certificate changes.</p>\n";
               }
               body +=
                   "<p class=\"hint\">Certificates are changed with <code>opencapf "
                   "cert</code> or the REST API; a running server picks the new files up by "
                   "itself and rebuilds the ITL.</p>\n";
               SendHtml(res, 200, Layout(&who, "Certificates", Nav::kCertificates, body));
             }));

  server.Get(R"(/certificates/([A-Za-z0-9_-]+)\.pem)",
             PageRoute(ctx, [&ctx](const httplib::Request& req, httplib::Response& res,
                                   const Principal& who) {
               auto name = service::CanonicalCertificateName(std::string(req.matches[1]));
               if (!name.ok()) {
                 SendHtml(res, 404, ErrorPage(who, "No such certificate", name.message()));
                 return;
               }
               // Only the certificate: never a key, whatever the name.
               auto certificate = pki::Certificate::Load(ctx.dir.certificate(*name));
               if (!certificate.ok()) {
                 SendHtml(res, 404, ErrorPage(who, "No such certificate", certificate.message()));
                 return;
               }
               res.status = 200;
               res.set_header("Content-Disposition", "attachment; filename=\"" + *name + ".pem\"");
               res.set_content(certificate->ToPem(), "application/x-pem-file");
             }));
}

}  // namespace opencapf::admin::pages
