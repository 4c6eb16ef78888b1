#pragma once

// What the pages of the administration site share: how they answer, how they spell fields (in
// CUCM's labels), the one-shot messages shown after a redirect, and the small pieces of HTML
// several pages draw (selects, status badges). Each page registers its routes from its own
// pages_*.cc; RegisterPages (routes.h) calls them all. Lower and Trim are http.h's, shared with
// the API.

#include <httplib.h>

#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/auth.h"
#include "admin/context.h"
#include "store/device.h"

namespace opencapf::admin::pages {

// ----- One-shot messages after a redirect -----------------------------------------------------

/// What the last action did, shown once on the next page the session opens.
struct Flash {
  bool error = false;
  std::string title;               ///< "Saved SEP001122334455"
  std::vector<std::string> lines;  ///< changes, notes, next steps
};

/// The flashes waiting for their sessions, keyed by session id. One per RegisterPages call, held
/// by the handlers that show or set them, so it lives as long as the server's routes (and two
/// servers in one process, as tests run them, never see each other's). Safe from several
/// threads.
class FlashMessages {
 public:
  /// Keeps `flash` for the session until Take; a newer one replaces it.
  void Set(const Principal& who, Flash flash);
  /// The session's flash, removed; nullopt when there is none.
  std::optional<Flash> Take(const Principal& who);
  /// The session's flash, removed, as HTML (a role="status" box), or "" when there is none.
  std::string TakeHtml(const Principal& who);

 private:
  std::mutex mu_;
  std::map<std::string, Flash> flashes_;
};

/// What the pages that set or show flashes hold.
using Flashes = std::shared_ptr<FlashMessages>;

// ----- Routes, one function per page (pages_*.cc) ---------------------------------------------

void RegisterDashboard(httplib::Server& server, AdminContext& ctx, Flashes flashes);
/// /devices, /devices/new, POST /devices.
void RegisterDeviceList(httplib::Server& server, AdminContext& ctx, Flashes flashes);
/// /devices/{name}, POST /devices/{name}, POST /devices/{name}/delete.
void RegisterDevicePage(httplib::Server& server, AdminContext& ctx, Flashes flashes);
void RegisterImport(httplib::Server& server, AdminContext& ctx, Flashes flashes);
/// /report and /report.csv.
void RegisterReport(httplib::Server& server, AdminContext& ctx);
/// /certificates and /certificates/{name}.pem.
void RegisterCertificates(httplib::Server& server, AdminContext& ctx);
/// /itl and /itl/ITLFile.tlv.
void RegisterItl(httplib::Server& server, AdminContext& ctx);
void RegisterAudit(httplib::Server& server, AdminContext& ctx);

// ----- Answers --------------------------------------------------------------------------------

/// An HTML page with `status`.
void SendHtml(httplib::Response& res, int status, const std::string& html);
/// 303 See Other to `location` (after a POST, so a reload does not post again).
void SeeOther(httplib::Response& res, const std::string& location);

// ----- Words ----------------------------------------------------------------------------------

/// How the pages spell a field in messages: the label of CUCM's page ("Operation Completes
/// By"), given the API name ("complete_by"). A store::FieldNamer.
std::string FieldLabel(std::string_view field);

/// The field a message is about: `field` when given, else the first field the store's rules
/// name in `message` (their messages carry no field). API names; empty when none is named.
std::string FieldAtFault(std::string_view field, std::string_view message);

/// The store's own rules name fields as the CSV does ("auth_string '12ab' must be 4-10
/// digits"); on the page they read as its labels ("Authentication String '12ab' ...").
std::string InPageWords(std::string message);

// ----- HTML pieces ----------------------------------------------------------------------------

/// <p class="error" role="alert">message</p>, and each problem as a list item under it.
std::string ErrorBox(std::string_view message, const std::vector<std::string>& problems = {});

/// A <select id=name name=name> of (value, label) options with `selected` chosen.
std::string Select(std::string_view name,
                   const std::vector<std::pair<std::string, std::string>>& options,
                   std::string_view selected, std::string_view extra_attributes = {});

/// The LSC Status as a coloured badge: Installed green, Pending amber, Not Installed grey.
std::string LscBadge(store::LscStatus status);
/// A CSS class for a Certificate Operation Status: "status-failed", "status-pending",
/// "status-success" or "status-none".
std::string OperationStatusClass(std::string_view status);

/// "2026-12-01T10:00:00Z", or "-" for none.
std::string TimeText(std::optional<std::time_t> t);
/// "412 days", "expired 3 days ago", "expires today".
std::string DaysText(long long days_left);

/// `value` percent-encoded for a query string.
std::string QueryValue(std::string_view value);

}  // namespace opencapf::admin::pages
