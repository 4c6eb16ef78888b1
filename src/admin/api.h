#pragma once

// The parts of /api/v1 (see docs/openapi.yaml), each registered by its own file, and the few
// rules they share: errors as {"error", "field", "problems"}, query strings and JSON bodies read
// strictly so a mistyped name is refused instead of silently ignored.

#include <httplib.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "admin/context.h"
#include "admin/device_actions.h"
#include "base/result.h"

namespace opencapf::admin {

/// /api/v1/devices... (api_devices.cc).
void RegisterDeviceApi(httplib::Server& server, AdminContext& ctx);
/// /api/v1/certificates... (api_certificates.cc).
void RegisterCertificateApi(httplib::Server& server, AdminContext& ctx);
/// /api/v1/itl and /api/v1/itl/show (api_itl.cc).
void RegisterItlApi(httplib::Server& server, AdminContext& ctx);
/// /api/v1/report and /api/v1/audit (api_records.cc).
void RegisterRecordApi(httplib::Server& server, AdminContext& ctx);

/// Answers with an action's error, its status and field kept.
void SendActionError(httplib::Response& res, const ActionError& error);

/// Refuses (400, naming it and listing `allowed`) a query parameter not in `allowed`; true when
/// every parameter is known.
bool CheckQuery(const httplib::Request& req, httplib::Response& res,
                const std::set<std::string>& allowed);

/// The body as a JSON object with only `allowed` fields, or a 400 sent and nullopt.
std::optional<nlohmann::json> ReadBody(const httplib::Request& req, httplib::Response& res,
                                       const std::set<std::string>& allowed);

/// A field of a JSON body that must be a string when present; null counts as absent. The error
/// (for a 400 naming `field`) says which form to send, e.g. `example`.
Result<std::optional<std::string>> StringField(const nlohmann::json& body, const std::string& field,
                                               std::string_view example);

}  // namespace opencapf::admin
