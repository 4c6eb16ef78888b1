#pragma once

#include <ctime>
#include <optional>
#include <string>
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
  std::time_t expiring_window = 90 * 86400;
};

struct Report {
  std::vector<Row> rows;
  Summary summary;
};

/// Builds the report from the store at time `now`. The summary counts the rows shown.
Result<Report> Build(store::Store& store, const Filter& filter, std::time_t now,
                     std::time_t expiring_window = 90 * 86400);

/// Parses "90d", "12w", "36h", "3600s" or a bare number of days.
Result<std::time_t> ParseWindow(std::string_view text);

std::string RenderTable(const Report& report, std::time_t now);
std::string RenderCsv(const Report& report);
nlohmann::json RenderJson(const Report& report);

}  // namespace opencapf::report
