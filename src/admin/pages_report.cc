// `/report`: the CAPF report (every phone's LSC state and expiry), filtered as `opencapf
// report` filters it, and the same rows as CSV. The page, the CLI and the API all build it with
// report::Build, so they give the same rows.
#include <spdlog/spdlog.h>

#include <variant>

#include "admin/guard.h"
#include "admin/http.h"
#include "admin/layout.h"
#include "admin/pages.h"
#include "report/report.h"

namespace opencapf::admin::pages {

namespace {

struct ReportQuery {
  std::string lsc_status, expiring_within;  ///< as typed
  report::Query query;
  std::string problem;  ///< what could not be read, or empty
  std::string field;    ///< which field (its API name)

  /// The query string that gives the same report ("lsc_status=installed&...").
  std::string QueryString() const {
    std::string q;
    if (!lsc_status.empty()) q += "lsc_status=" + QueryValue(lsc_status);
    if (!expiring_within.empty()) {
      q += (q.empty() ? "" : "&") + std::string("expiring_within=") + QueryValue(expiring_within);
    }
    return q;
  }
};

// Read as `opencapf report` and the API read theirs (report::ReadQuery); a problem names the
// field by the form's label.
ReportQuery ReadQuery(const httplib::Request& req) {
  ReportQuery q;
  q.lsc_status = Trim(Param(req, "lsc_status").value_or(""));
  q.expiring_within = Trim(Param(req, "expiring_within").value_or(""));
  auto read = report::ReadQuery(q.lsc_status, q.expiring_within);
  if (const auto* bad = std::get_if<report::QueryError>(&read)) {
    q.problem = FieldLabel(bad->field) + ": " + bad->message;
    q.field = bad->field;
  } else {
    q.query = std::get<report::Query>(read);
  }
  return q;
}

std::string FilterForm(const ReportQuery& q) {
  std::vector<std::pair<std::string, std::string>> lsc = {{"", "Any"}};
  for (auto st : {store::LscStatus::kInstalled, store::LscStatus::kNotInstalled,
                  store::LscStatus::kPending}) {
    lsc.emplace_back(store::ToText(st), store::DisplayText(st));
  }
  return "<form class=\"filters\" method=\"get\" action=\"/report\" id=\"report-filters\">\n"
         "<label for=\"lsc_status\">LSC Status" +
         Select("lsc_status", lsc, q.lsc_status) +
         "</label>\n<label for=\"expiring_within\">LSC expiring within<input type=\"text\" "
         "id=\"expiring_within\" name=\"expiring_within\" placeholder=\"90d\" value=\"" +
         HtmlEscape(q.expiring_within) + "\"" +
         (q.field == "expiring_within" ? " class=\"invalid\" aria-invalid=\"true\"" : "") +
         "></label>\n<button type=\"submit\" class=\"primary\">Show</button> <a "
         "href=\"/report\">Clear</a>\n</form>\n<p class=\"hint\">Expiring within: 90d, 12w, 36h "
         "or 3600s; expired LSCs are included.</p>\n";
}

std::string Rows(const report::Report& r) {
  std::string html =
      "<table id=\"report\"><thead><tr><th>Device Name</th><th>LSC Status</th>"
      "<th>Certificate Operation</th><th>Certificate Operation Status</th><th>LSC Serial</th>"
      "<th>LSC Valid To</th><th>Days Left</th><th>MIC</th><th>Last Session</th><th>Result</th>"
      "</tr></thead><tbody>\n";
  for (const auto& row : r.rows) {
    const std::string name = HtmlEscape(row.name);
    std::string row_class;
    if (row.days_left) row_class = *row.days_left < 0 ? "expired" : "";
    std::string mic = "-";
    if (row.mic_seen) {
      mic = row.mic_not_after ? "until " + TimeText(row.mic_not_after).substr(0, 10) : "seen";
    }
    html += "<tr data-device=\"" + name + "\"" +
            (row_class.empty() ? "" : " class=\"" + row_class + "\"") +
            "><td class=\"name\"><a href=\"/devices/" + name + "\">" + name +
            "</a></td><td class=\"lsc-status\">" + HtmlEscape(row.lsc_status) +
            "</td><td class=\"operation\">" + HtmlEscape(row.operation) +
            "</td><td class=\"operation-status " + OperationStatusClass(row.operation_status) +
            "\">" + HtmlEscape(row.operation_status) + "</td><td class=\"mono\">" +
            HtmlEscape(row.lsc_serial.empty() ? "-" : row.lsc_serial) + "</td><td class=\"time\">" +
            TimeText(row.lsc_not_after) + "</td><td class=\"days-left\">" +
            (row.days_left ? std::to_string(*row.days_left) : "-") + "</td><td>" + mic +
            "</td><td class=\"time\">" + TimeText(row.last_session) + "</td><td>" +
            HtmlEscape(row.last_result.empty() ? "-" : row.last_result) + "</td></tr>\n";
  }
  return html + "</tbody></table>\n";
}

}  // namespace

void RegisterReport(httplib::Server& server, AdminContext& ctx) {
  server.Get("/report", PageRoute(ctx, [&ctx](const httplib::Request& req, httplib::Response& res,
                                              const Principal& who) {
               const ReportQuery q = ReadQuery(req);
               std::string body = FilterForm(q);
               if (!q.problem.empty()) {
                 body += ErrorBox(q.problem);
                 SendHtml(res, 400, Layout(&who, "CAPF Report", Nav::kReport, body));
                 return;
               }
               auto built =
                   report::Build(ctx.store, q.query.filter, ctx.clock.Now(), q.query.window);
               if (!built.ok()) {
                 spdlog::error("admin: /report: {}", built.message());
                 body += ErrorBox("The device store could not be read: " + built.message());
                 SendHtml(res, 500, Layout(&who, "CAPF Report", Nav::kReport, body));
                 return;
               }
               const std::string query = q.QueryString();
               body += "<p class=\"summary\" id=\"summary\">" +
                       HtmlEscape(report::SummaryLine(built->summary)) +
                       "</p>\n<div class=\"actions\"><a class=\"button\" id=\"download-csv\" "
                       "href=\"/report.csv" +
                       HtmlEscape(query.empty() ? "" : "?" + query) +
                       "\" download=\"capf-report.csv\">Download CSV</a></div>\n";
               body += built->rows.empty() ? "<p>No phone matches.</p>\n" : Rows(*built);
               SendHtml(res, 200, Layout(&who, "CAPF Report", Nav::kReport, body));
             }));

  server.Get(
      R"(/report\.csv)", PageRoute(ctx, [&ctx](const httplib::Request& req, httplib::Response& res,
                                               const Principal& who) {
        const ReportQuery q = ReadQuery(req);
        if (!q.problem.empty()) {
          SendHtml(res, 400, ErrorPage(who, "CAPF Report", q.problem));
          return;
        }
        auto built = report::Build(ctx.store, q.query.filter, ctx.clock.Now(), q.query.window);
        if (!built.ok()) {
          SendHtml(res, 500, ErrorPage(who, "CAPF Report", built.message()));
          return;
        }
        res.status = 200;
        res.set_header("Content-Disposition", "attachment; filename=\"capf-report.csv\"");
        res.set_content(report::RenderCsv(*built), "text/csv; charset=utf-8");
      }));
}

}  // namespace opencapf::admin::pages
