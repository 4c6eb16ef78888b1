#include "report/report.h"

#include <algorithm>
#include <charconv>
#include <iomanip>
#include <sstream>

#include "store/device.h"
#include "store/device_edit.h"
#include "store/time_text.h"

namespace opencapf::report {

namespace {

constexpr std::time_t kDay = 86400;

using store::DaysLeft;

std::string Time(const std::optional<std::time_t>& t) { return t ? store::FormatTime(*t) : ""; }

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<std::time_t> ParseWindow(std::string_view text) {
  std::time_t unit = kDay;
  std::string_view number = text;
  if (!text.empty()) {
    switch (text.back()) {
      case 'd':
        unit = kDay, number.remove_suffix(1);
        break;
      case 'w':
        unit = 7 * kDay, number.remove_suffix(1);
        break;
      case 'h':
        unit = 3600, number.remove_suffix(1);
        break;
      case 's':
        unit = 1, number.remove_suffix(1);
        break;
      default:
        break;
    }
  }
  long long value = -1;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size() || value < 0) {
    return Fail("'" + std::string(text) + "' is not a time span; use e.g. 90d, 12w, 36h or 3600s");
  }
  return static_cast<std::time_t>(value) * unit;
}

Result<Report> Build(store::Store& store, const Filter& filter, std::time_t now,
                     std::time_t expiring_window) {
  store::DeviceFilter device_filter;
  device_filter.lsc_status = filter.lsc_status;
  auto devices = store.List(device_filter);
  if (!devices.ok()) return devices.error();
  Report report;
  report.summary.expiring_window = expiring_window;
  for (const store::Device& d : *devices) {
    Row row;
    row.name = d.name;
    row.lsc_status = std::string(store::DisplayText(d.lsc_status));
    row.operation = std::string(store::ToText(d.operation));
    row.operation_status = d.operation_status;
    if (d.lsc) {
      row.lsc_serial = d.lsc->serial_hex;
      row.lsc_issuer = d.lsc->issuer;
      row.lsc_not_after = d.lsc->not_after;
      row.days_left = DaysLeft(d.lsc->not_after, now);
    }
    if (d.mic) {
      row.mic_seen = true;
      row.mic_not_after = d.mic->not_after;
    }
    auto history = store.History(d.name, 1);
    if (!history.ok()) return history.error();
    if (!history->empty()) {
      row.last_session = history->front().at;
      row.last_result = history->front().result;
    }
    if (filter.expiring_within &&
        (!row.lsc_not_after || *row.lsc_not_after - now > *filter.expiring_within)) {
      continue;
    }
    Summary& s = report.summary;
    ++s.devices;
    switch (d.lsc_status) {
      case store::LscStatus::kInstalled:
        ++s.installed;
        break;
      case store::LscStatus::kNotInstalled:
        ++s.not_installed;
        break;
      case store::LscStatus::kPending:
        ++s.pending;
        break;
    }
    if (d.operation_status == store::kStatusPending) ++s.operations_pending;
    if (d.operation_status.find(" Failed: ") != std::string::npos) ++s.operations_failed;
    if (row.lsc_not_after && *row.lsc_not_after - now <= expiring_window) ++s.expiring;
    if (row.lsc_not_after && *row.lsc_not_after <= now) ++s.expired;
    report.rows.push_back(std::move(row));
  }
  return report;
}

namespace {
const std::vector<std::string> kColumns = {
    "name",          "lsc_status", "operation", "operation_status", "lsc_serial",   "lsc_issuer",
    "lsc_not_after", "days_left",  "mic_seen",  "mic_not_after",    "last_session", "last_result"};

std::vector<std::string> Cells(const Row& r) {
  return {r.name,
          r.lsc_status,
          r.operation,
          r.operation_status,
          r.lsc_serial,
          r.lsc_issuer,
          Time(r.lsc_not_after),
          r.days_left ? std::to_string(*r.days_left) : "",
          r.mic_seen ? "yes" : "no",
          Time(r.mic_not_after),
          Time(r.last_session),
          r.last_result};
}

}  // namespace

std::variant<Query, QueryError> ReadQuery(std::string_view lsc_status,
                                          std::string_view expiring_within) {
  Query query;
  if (!lsc_status.empty()) {
    auto status = store::ParseLscStatus(lsc_status);
    if (!status.ok()) return QueryError{"lsc_status", status.message()};
    query.filter.lsc_status = *status;
  }
  if (!expiring_within.empty()) {
    auto window = ParseWindow(expiring_within);
    if (!window.ok()) return QueryError{"expiring_within", window.message()};
    query.filter.expiring_within = *window;
    query.window = *window;
  }
  return query;
}

std::string SummaryLine(const Summary& s) {
  return std::to_string(s.devices) + " devices: " + std::to_string(s.installed) + " Installed, " +
         std::to_string(s.not_installed) + " Not Installed, " + std::to_string(s.pending) +
         " Pending; " + std::to_string(s.operations_pending) + " operations pending, " +
         std::to_string(s.operations_failed) + " failed; " + std::to_string(s.expiring) +
         " LSCs expire within " + std::to_string(s.expiring_window / kDay) + " days (" +
         std::to_string(s.expired) + " already expired)";
}

std::string RenderCsv(const Report& report) {
  std::ostringstream out;
  for (std::size_t i = 0; i < kColumns.size(); ++i) out << (i ? "," : "") << kColumns[i];
  out << "\r\n";
  for (const Row& r : report.rows) {
    auto cells = Cells(r);
    for (std::size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << CsvField(cells[i]);
    out << "\r\n";
  }
  return out.str();
}

nlohmann::json RenderJson(const Report& report) {
  nlohmann::json rows = nlohmann::json::array();
  for (const Row& r : report.rows) {
    auto opt_time = [](const std::optional<std::time_t>& t) {
      return t ? nlohmann::json(store::FormatTime(*t)) : nlohmann::json(nullptr);
    };
    rows.push_back(
        {{"name", r.name},
         {"lsc_status", r.lsc_status},
         {"operation", r.operation},
         {"operation_status", r.operation_status},
         {"lsc_serial",
          r.lsc_serial.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.lsc_serial)},
         {"lsc_issuer",
          r.lsc_issuer.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.lsc_issuer)},
         {"lsc_not_after", opt_time(r.lsc_not_after)},
         {"days_left", r.days_left ? nlohmann::json(*r.days_left) : nlohmann::json(nullptr)},
         {"mic_seen", r.mic_seen},
         {"mic_not_after", opt_time(r.mic_not_after)},
         {"last_session", opt_time(r.last_session)},
         {"last_result",
          r.last_result.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.last_result)}});
  }
  const Summary& s = report.summary;
  return {{"rows", rows},
          {"summary",
           {{"devices", s.devices},
            {"installed", s.installed},
            {"not_installed", s.not_installed},
            {"pending", s.pending},
            {"operations_pending", s.operations_pending},
            {"operations_failed", s.operations_failed},
            {"expiring", s.expiring},
            {"expired", s.expired},
            {"expiring_window_days", s.expiring_window / kDay}}}};
}

std::string RenderTable(const Report& report, std::time_t now) {
  (void)now;
  const std::vector<std::string> headers = {"NAME",         "LSC",       "OPERATION", "STATUS",
                                            "LSC SERIAL",   "NOT AFTER", "DAYS",      "MIC",
                                            "LAST SESSION", "RESULT"};
  std::vector<std::vector<std::string>> lines;
  for (const Row& r : report.rows) {
    auto c = Cells(r);
    lines.push_back(
        {c[0], c[1], c[2], c[3], c[4], c[6], c[7],
         r.mic_seen ? (r.mic_not_after ? "until " + Time(r.mic_not_after).substr(0, 10) : "seen")
                    : "-",
         c[10], c[11]});
  }
  std::vector<std::size_t> width(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i) width[i] = headers[i].size();
  for (const auto& l : lines) {
    for (std::size_t i = 0; i < l.size(); ++i) width[i] = std::max(width[i], l[i].size());
  }
  std::ostringstream out;
  auto print = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      std::string cell = cells[i].empty() ? "-" : cells[i];
      line += cell;
      if (i + 1 < cells.size()) line += std::string(width[i] - cell.size() + 2, ' ');
    }
    out << line << "\n";
  };
  print(headers);
  for (const auto& l : lines) print(l);
  out << SummaryLine(report.summary) << "\n";
  return out.str();
}

}  // namespace opencapf::report
