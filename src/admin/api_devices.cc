// /api/v1/devices: list, add, show, change, schedule, remove and bulk-import phones. The work
// is device_actions.h's (shared with the page); this file turns JSON into its fields and its
// results into JSON the way `opencapf device ... --json` writes them.
#include "admin/api.h"
#include "admin/device_search.h"
#include "admin/guard.h"
#include "admin/http.h"
#include "store/device_json.h"

namespace opencapf::admin {

namespace {

constexpr std::size_t kHistoryShown = 50;

// The CAPF Information fields a body may carry; and `name`, to add (or repeated, to change).
const std::set<std::string> kDeviceFields = {
    "operation", "auth",     "auth_string", "key_order",
    "rsa_bits",  "ec_curve", "complete_by", "encrypted_config"};

std::set<std::string> With(std::set<std::string> fields, const std::string& extra) {
  fields.insert(extra);
  return fields;
}

struct BadField {
  std::string field;
  std::string message;
};

// Key sizes are numbers in JSON, but "2048" in quotes is what a form or a CSV gives: both do.
std::optional<BadField> NumberText(const nlohmann::json& body, const std::string& field,
                                   std::string_view example, std::optional<std::string>& out) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) {
    out = it->dump();
  } else if (it->is_string()) {
    out = it->get<std::string>();
  } else {
    return BadField{field, field + " must be a whole number, e.g. " + std::string(example) +
                               ", not a JSON " + it->type_name() +
                               (it->is_number() ? " with a fraction" : "")};
  }
  return std::nullopt;
}

// Encrypted Configuration is a boolean in JSON, but "on" or "off" in quotes is what a form or a
// CSV gives: both do.
std::optional<BadField> SwitchText(const nlohmann::json& body, const std::string& field,
                                   std::optional<std::string>& out) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (it->is_boolean()) {
    out = it->get<bool>() ? "true" : "false";
  } else if (it->is_string()) {
    out = it->get<std::string>();
  } else {
    return BadField{field, field + " must be true or false (or \"on\", \"off\"), not a JSON " +
                               it->type_name()};
  }
  return std::nullopt;
}

// A JSON null means "not given", as an absent field does. The authentication string cannot be
// cleared by itself: it goes when `auth` changes to another mode (as on CUCM's page).
std::optional<BadField> ReadDeviceFields(const nlohmann::json& body, store::DeviceFieldText& out) {
  if (const auto it = body.find("auth_string"); it != body.end() && it->is_number()) {
    return BadField{"auth_string",
                    "auth_string must be a string of 4-10 digits in quotes, e.g. \"12345678\": "
                    "as a JSON number its leading zeros would be lost"};
  }
  struct TextField {
    const char* name;
    std::optional<std::string> store::DeviceFieldText::*member;
    const char* example;
  };
  static constexpr TextField kTextFields[] = {
      {"operation", &store::DeviceFieldText::operation, "install"},
      {"auth", &store::DeviceFieldText::auth, "null-string"},
      {"auth_string", &store::DeviceFieldText::auth_string, "12345678"},
      {"key_order", &store::DeviceFieldText::key_order, "rsa"},
      {"complete_by", &store::DeviceFieldText::complete_by, "+2h"},
  };
  for (const auto& f : kTextFields) {
    auto value = StringField(body, f.name, f.example);
    if (!value.ok()) return BadField{f.name, value.message()};
    out.*f.member = *value;
  }
  if (auto bad = NumberText(body, "rsa_bits", "2048", out.rsa_bits)) return bad;
  if (auto bad = NumberText(body, "ec_curve", "256", out.ec_curve)) return bad;
  if (auto bad = SwitchText(body, "encrypted_config", out.encrypted_config)) return bad;
  return std::nullopt;
}

// The device name of a /api/v1/devices/NAME path, canonical; or a 400 sent.
std::optional<std::string> PathDevice(const httplib::Request& req, httplib::Response& res) {
  auto name = store::NormalizeDeviceName(req.matches[1].str());
  if (!name.ok()) {
    SendError(res, 400, name.message(), "name");
    return std::nullopt;
  }
  return *name;
}

// A body may repeat the device's own name (a script sending back what it read), not another.
bool SameDevice(const nlohmann::json& given, const std::string& name) {
  if (given.is_null()) return true;
  if (!given.is_string()) return false;
  auto normalized = store::NormalizeDeviceName(given.get<std::string>());
  return normalized.ok() && *normalized == name;
}

nlohmann::ordered_json Changed(AdminContext& ctx, const ActionDone& done) {
  return {{"device", store::DeviceJson(done.device, ctx.clock.Now(), true)},
          {"notes", done.notes},
          {"changes", done.changes}};
}

void ListDevices(AdminContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!CheckQuery(req, res, {"lsc_status", "operation_status", "auth_string", "q"})) return;
  auto found = FindDevices(ctx, DeviceQuery::FromRequest(req));
  if (!found.ok()) {
    ActionError e = *found.error;
    if (e.field == "lsc_status") e.message += " (or the words the page shows: Not Installed)";
    return SendActionError(res, e);
  }
  const std::time_t now = ctx.clock.Now();
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& d : found.value) list.push_back(store::DeviceJson(d, now, false));
  const std::size_t count = list.size();
  SendJson(res, 200, {{"devices", std::move(list)}, {"count", count}});
}

void AddDevice(AdminContext& ctx, const httplib::Request& req, httplib::Response& res,
               const Principal& who) {
  auto body = ReadBody(req, res, With(kDeviceFields, "name"));
  if (!body) return;
  auto name = StringField(*body, "name", "SEP001122334455");
  if (!name.ok()) return SendError(res, 400, name.message(), "name");
  if (!*name) {
    return SendError(res, 400,
                     "name is required: the device name, e.g. \"SEP001122334455\" (SEP and the "
                     "phone's MAC address) or \"CSFJSMITH\"",
                     "name");
  }
  store::DeviceFieldText fields;
  if (auto bad = ReadDeviceFields(*body, fields)) {
    return SendError(res, 400, bad->message, bad->field);
  }
  auto done = CreateDevice(ctx, who, **name, fields);
  if (!done.ok()) return SendActionError(res, *done.error);
  res.set_header("Location", "/api/v1/devices/" + done.value.device.name);
  SendJson(res, 201,
           {{"device", store::DeviceJson(done.value.device, ctx.clock.Now(), true)},
            {"notes", done.value.notes}});
}

void ShowDevice(AdminContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!CheckQuery(req, res, {})) return;
  auto name = PathDevice(req, res);
  if (!name) return;
  auto device = ctx.store.Get(*name);
  if (!device.ok()) return SendError(res, 500, "the store cannot be read: " + device.message());
  if (!*device) {
    return SendError(res, 404,
                     "there is no device " + *name +
                         "; add it with POST /api/v1/devices, or find it with GET "
                         "/api/v1/devices?q=PART-OF-THE-NAME",
                     "name");
  }
  auto history = ctx.store.History(*name, kHistoryShown);
  if (!history.ok()) return SendError(res, 500, "the store cannot be read: " + history.message());
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  for (const auto& e : *history) events.push_back(store::EventJson(e));
  SendJson(res, 200,
           {{"device", store::DeviceJson(**device, ctx.clock.Now(), true)},
            {"history", std::move(events)}});
}

// PATCH, and POST .../schedule which is the same change with an operation required: CUCM's
// "Save" and "Save + Apply Config".
void ChangeDevice(AdminContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& who, bool schedule) {
  auto name = PathDevice(req, res);
  if (!name) return;
  auto body = ReadBody(req, res, With(kDeviceFields, "name"));
  if (!body) return;
  if (body->contains("name") && !SameDevice((*body)["name"], *name)) {
    return SendError(res, 400,
                     "a device's name cannot be changed; DELETE /api/v1/devices/" + *name +
                         " and add it again with POST /api/v1/devices under the new name",
                     "name");
  }
  if (schedule && (!body->contains("operation") || (*body)["operation"].is_null())) {
    return SendError(res, 400,
                     "operation is required to schedule: \"install\", \"delete\" or "
                     "\"troubleshoot\" (\"none\" cancels); to change other fields only, use "
                     "PATCH /api/v1/devices/" +
                         *name,
                     "operation");
  }
  store::DeviceFieldText fields;
  if (auto bad = ReadDeviceFields(*body, fields)) {
    return SendError(res, 400, bad->message, bad->field);
  }
  auto done = UpdateDevice(ctx, who, *name, fields);
  if (!done.ok()) return SendActionError(res, *done.error);
  SendJson(res, 200, Changed(ctx, done.value));
}

void RemoveDevice(AdminContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& who) {
  auto name = PathDevice(req, res);
  if (!name) return;
  auto done = DeleteDevice(ctx, who, *name);
  if (!done.ok()) return SendActionError(res, *done.error);
  SendJson(res, 200, {{"deleted", done.value.device.name}, {"notes", done.value.notes}});
}

void ImportCsv(AdminContext& ctx, const httplib::Request& req, httplib::Response& res,
               const Principal& who) {
  const std::string type = Lower(req.get_header_value("Content-Type"));
  if (type.starts_with("application/json") || type.starts_with("multipart/") ||
      type.starts_with("application/x-www-form-urlencoded")) {
    return SendError(res, 400,
                     "send the CSV file itself as the body, with Content-Type: text/csv (curl "
                     "--data-binary @phones.csv -H 'Content-Type: text/csv'), not " +
                         type);
  }
  auto done = ImportDevices(ctx, who, req.body);
  if (!done.ok()) return SendActionError(res, *done.error);
  SendJson(res, 201,
           {{"added", done.value.added},
            {"scheduled", done.value.scheduled},
            {"notes", done.value.notes}});
}

}  // namespace

void RegisterDeviceApi(httplib::Server& server, AdminContext& ctx) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  server.Get("/api/v1/devices", ApiRoute(ctx, [&ctx](Req req, Res res, const Principal&) {
               ListDevices(ctx, req, res);
             }));
  server.Post("/api/v1/devices", ApiRoute(ctx, [&ctx](Req req, Res res, const Principal& who) {
                AddDevice(ctx, req, res, who);
              }));
  server.Post("/api/v1/devices/import",
              ApiRoute(ctx, [&ctx](Req req, Res res, const Principal& who) {
                ImportCsv(ctx, req, res, who);
              }));
  server.Get(
      R"(/api/v1/devices/([^/]+))",
      ApiRoute(ctx, [&ctx](Req req, Res res, const Principal&) { ShowDevice(ctx, req, res); }));
  server.Patch(R"(/api/v1/devices/([^/]+))",
               ApiRoute(ctx, [&ctx](Req req, Res res, const Principal& who) {
                 ChangeDevice(ctx, req, res, who, false);
               }));
  server.Delete(R"(/api/v1/devices/([^/]+))",
                ApiRoute(ctx, [&ctx](Req req, Res res, const Principal& who) {
                  RemoveDevice(ctx, req, res, who);
                }));
  server.Post(R"(/api/v1/devices/([^/]+)/schedule)",
              ApiRoute(ctx, [&ctx](Req req, Res res, const Principal& who) {
                ChangeDevice(ctx, req, res, who, true);
              }));
}

}  // namespace opencapf::admin
