// /api/v1: the REST API (see docs/openapi.yaml and docs/api.md).
#include "admin/api.h"

#include "admin/http.h"
#include "admin/routes.h"

namespace opencapf::admin {

void SendActionError(httplib::Response& res, const ActionError& error) {
  SendError(res, error.status, error.message, error.field, error.problems);
}

bool CheckQuery(const httplib::Request& req, httplib::Response& res,
                const std::set<std::string>& allowed) {
  for (const auto& [name, value] : req.params) {
    if (allowed.contains(name)) continue;
    SendError(res, 400,
              "unknown query parameter '" + name + "'; " +
                  (allowed.empty() ? std::string("this path takes none")
                                   : "the parameters are: " + Join(allowed)),
              name);
    return false;
  }
  return true;
}

std::optional<nlohmann::json> ReadBody(const httplib::Request& req, httplib::Response& res,
                                       const std::set<std::string>& allowed) {
  auto body = ReadJsonObject(req, allowed);
  if (!body.ok()) {
    SendError(res, 400, body.message());
    return std::nullopt;
  }
  return std::move(*body);
}

Result<std::optional<std::string>> StringField(const nlohmann::json& body, const std::string& field,
                                               std::string_view example) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Fail(field + " must be a string, e.g. \"" + std::string(example) + "\", not a JSON " +
                it->type_name());
  }
  return std::optional<std::string>(it->get<std::string>());
}

void RegisterApi(httplib::Server& server, AdminContext& ctx) {
  RegisterDeviceApi(server, ctx);
  RegisterItlApi(server, ctx);
  RegisterCertificateApi(server, ctx);
  RegisterRecordApi(server, ctx);
}

}  // namespace opencapf::admin
