// `/audit`: who changed what, newest first: the page's and the API's changes, logins, and the
// CLI's admin commands.
#include <spdlog/spdlog.h>

#include "admin/guard.h"
#include "admin/http.h"
#include "admin/layout.h"
#include "admin/pages.h"

namespace opencapf::admin::pages {

namespace {
constexpr std::size_t kShown = 200;
}  // namespace

void RegisterAudit(httplib::Server& server, AdminContext& ctx) {
  server.Get(
      "/audit",
      PageRoute(ctx, [&ctx](const httplib::Request&, httplib::Response& res, const Principal& who) {
        auto entries = ctx.store.ListAudit(kShown);
        if (!entries.ok()) {
          spdlog::error("admin: /audit: {}", entries.message());
          SendHtml(
              res, 500,
              ErrorPage(who, "Audit Log", "The audit log could not be read: " + entries.message()));
          return;
        }
        std::string body =
            "<p>The newest " + std::to_string(kShown) + " entries, newest first.</p>\n";
        if (entries->empty()) {
          body += "<p>No entries yet.</p>\n";
        } else {
          body +=
              "<table id=\"audit\"><thead><tr><th>Time</th><th>Actor</th><th>Address</th>"
              "<th>Action</th><th>Target</th><th>Detail</th></tr></thead><tbody>\n";
          for (const auto& e : *entries) {
            body += "<tr><td class=\"time\">" + TimeText(e.at) + "</td><td>" + HtmlEscape(e.actor) +
                    "</td><td>" + HtmlEscape(e.peer.empty() ? "-" : e.peer) +
                    "</td><td class=\"action\">" + HtmlEscape(e.action) + "</td><td>" +
                    HtmlEscape(e.target) + "</td><td class=\"detail\">" + HtmlEscape(e.detail) +
                    "</td></tr>\n";
          }
          body += "</tbody></table>\n";
        }
        SendHtml(res, 200, Layout(&who, "Audit Log", Nav::kAudit, body));
      }));
}

}  // namespace opencapf::admin::pages
