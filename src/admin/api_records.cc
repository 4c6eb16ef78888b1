// /api/v1/report and /api/v1/audit: what the store records, read only. The report is
// `opencapf report`'s, row for row, in the same three formats.
#include <charconv>
#include <variant>

#include "admin/api.h"
#include "admin/guard.h"
#include "admin/http.h"
#include "base/json.h"
#include "report/report.h"
#include "store/device_json.h"
#include "store/time_text.h"

namespace opencapf::admin {

namespace {

constexpr std::size_t kDefaultAuditEntries = 100;
constexpr std::size_t kMaxAuditEntries = 10000;

void Report(AdminContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!CheckQuery(req, res, {"format", "lsc_status", "expiring_within"})) return;
  const std::string format = Param(req, "format").value_or("json");
  if (format != "json" && format != "csv" && format != "table") {
    return SendError(res, 400,
                     "format '" + format +
                         "' is not one of: json, csv, table (csv downloads "
                         "capf-report.csv)",
                     "format");
  }
  // Read as `opencapf report` reads its options, so the summary's window is the same too.
  auto read = report::ReadQuery(Trim(Param(req, "lsc_status").value_or("")),
                                Trim(Param(req, "expiring_within").value_or("")));
  if (const auto* bad = std::get_if<report::QueryError>(&read)) {
    // Named as the query parameter, unless the message already starts with it.
    const std::string message =
        bad->message.starts_with(bad->field) ? bad->message : bad->field + ": " + bad->message;
    return SendError(res, 400, message, bad->field);
  }
  const report::Query& query = std::get<report::Query>(read);
  const std::time_t now = ctx.clock.Now();
  auto built = report::Build(ctx.store, query.filter, now, query.window);
  if (!built.ok()) return SendError(res, 500, "the report cannot be built: " + built.message());
  res.status = 200;
  if (format == "csv") {
    res.set_header("Content-Disposition", "attachment; filename=\"capf-report.csv\"");
    res.set_content(report::RenderCsv(*built), "text/csv; charset=utf-8");
  } else if (format == "table") {
    res.set_content(report::RenderTable(*built, now), "text/plain; charset=utf-8");
  } else {
    res.set_content(DumpJson(report::RenderJson(*built)) + "\n", "application/json");
  }
}

void AuditLog(AdminContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!CheckQuery(req, res, {"limit"})) return;
  std::size_t limit = kDefaultAuditEntries;
  if (auto text = Param(req, "limit")) {
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, limit);
    if (ec != std::errc() || ptr != end || limit == 0 || limit > kMaxAuditEntries) {
      return SendError(res, 400,
                       "limit '" + *text + "' must be a number of entries from 1 to " +
                           std::to_string(kMaxAuditEntries) + ", e.g. limit=100",
                       "limit");
    }
  }
  auto entries = ctx.store.ListAudit(limit);
  if (!entries.ok()) {
    return SendError(res, 500, "the audit log cannot be read: " + entries.message());
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& e : *entries) {
    list.push_back(store::AuditJson(e));
  }
  SendJson(res, 200, {{"entries", std::move(list)}});
}

}  // namespace

void RegisterRecordApi(httplib::Server& server, AdminContext& ctx) {
  server.Get("/api/v1/report",
             ApiRoute(ctx, [&ctx](const httplib::Request& req, httplib::Response& res,
                                  const Principal&) { Report(ctx, req, res); }));
  server.Get("/api/v1/audit",
             ApiRoute(ctx, [&ctx](const httplib::Request& req, httplib::Response& res,
                                  const Principal&) { AuditLog(ctx, req, res); }));
}

}  // namespace opencapf::admin
