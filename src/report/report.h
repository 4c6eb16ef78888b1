#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "store/store.h"

namespace opencapf::report {

/// One row of the CAPF report: a device's LSC state and expiry, as CUCM's CAPF report lists it,
/// plus what the vendor's report never had — days left and the MIC's expiry.
struct Row {
  std::string name;
  std::string lsc_status;        ///< "Installed", "Not Installed", "Pending"
  std::string operation;         ///< "install", "delete", "troubleshoot", "none"
  std::string operation_status;  ///< "Upgrade Success", "Operation Pending", ...
  std::string lsc_serial;        ///< empty without an LSC
  std::string lsc_issuer;
  std::optional<std::time_t> lsc_not_after;
  std::optional<long long> days_left;  ///< negative once expired
  bool mic_seen = false;
  std::optional<std::time_t> mic_not_after;
  std::optional<std::time_t> last_session;
  std::string last_result;  ///< "success", "refused", ... of the newest session
};

/// "Expiring soon" when no window is asked for.
inline constexpr std::time_t kDefaultExpiringWindow = 90 * 86400;

struct Filter {
  std::optional<store::LscStatus> lsc_status;
  /// Only devices whose LSC expires within this many seconds from now (expired included).
  std::optional<std::time_t> expiring_within;
};

struct Summary {
  std::size_t devices = 0;
  std::size_t installed = 0, not_installed = 0, pending = 0;
  std::size_t operations_pending = 0, operations_failed = 0;
  std::size_t expiring = 0;  ///< LSCs expiring within `expiring_window` (expired included)
  std::size_t expired = 0;
  std::time_t expiring_window = kDefaultExpiringWindow;
};

struct Report {
  std::vector<Row> rows;
  Summary summary;
};

/// Builds the report from the store at time `now`. The summary counts the rows shown.
Result<Report> Build(store::Store& store, const Filter& filter, std::time_t now,
                     std::time_t expiring_window = kDefaultExpiringWindow);

/// Parses "90d", "12w", "36h", "3600s" or a bare number of days.
Result<std::time_t> ParseWindow(std::string_view text);

/// A report as asked for: the filter and the "expiring soon" window of the summary.
struct Query {
  Filter filter;
  std::time_t window = kDefaultExpiringWindow;
};

/// Why a query was refused: which of its two parts, and the message (without the field's name:
/// each caller names it as its user knows it, a flag, a query parameter or a form label).
struct QueryError {
  std::string field;  ///< "lsc_status" or "expiring_within"
  std::string message;
};

/// Reads the two report options as typed (empty = not given): an LSC status ("installed", or
/// the display text) and an expiry window ("90d"); the window also becomes the summary's.
std::variant<Query, QueryError> ReadQuery(std::string_view lsc_status,
                                          std::string_view expiring_within);

/// "3 devices: 1 Installed, 2 Not Installed, 0 Pending; 1 operations pending, 0 failed; ...":
/// the line `opencapf report` ends with and the report page shows.
std::string SummaryLine(const Summary& summary);

std::string RenderTable(const Report& report, std::time_t now);
std::string RenderCsv(const Report& report);
nlohmann::json RenderJson(const Report& report);

}  // namespace opencapf::report
