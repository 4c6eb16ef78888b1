// /api/v1/itl: the ITLFile.tlv phones get from this server's TFTP, and `opencapf itl show` of it.
// The page /itl reads it the same way (served_itl.h).
#include "admin/api.h"
#include "admin/guard.h"
#include "admin/http.h"
#include "admin/served_itl.h"
#include "base/json.h"

namespace opencapf::admin {

namespace {

constexpr std::string_view kNoItl =
    "no ITL is served by this server (it runs without its TFTP service); 'opencapf serve' serves "
    "ITLFile.tlv, and 'opencapf cert list' shows what it would hold";

void ItlFile(AdminContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!CheckQuery(req, res, {})) return;
  auto served = ServedItl(ctx);
  if (!served) return SendError(res, 404, kNoItl);
  SendItlFile(res, *served);
}

// `opencapf itl show` of the served file: text, or with format=json its --json.
void ShowItl(AdminContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!CheckQuery(req, res, {"format"})) return;
  const std::string format = Param(req, "format").value_or("text");
  if (format != "text" && format != "json") {
    return SendError(res, 400, "format '" + format + "' is not one of: text, json", "format");
  }
  auto served = ServedItl(ctx);
  if (!served) return SendError(res, 404, kNoItl);
  auto itl = ReadServedItl(served);
  if (!itl.ok()) return SendError(res, 500, itl.message());
  res.status = 200;
  if (format == "json") {
    res.set_content(DumpJson(itl->Json()) + "\n", "application/json");
  } else {
    res.set_content(itl->ShowItl(), "text/plain; charset=utf-8");
  }
}

}  // namespace

void RegisterItlApi(httplib::Server& server, AdminContext& ctx) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  server.Get("/api/v1/itl",
             ApiRoute(ctx, [&ctx](Req req, Res res, const Principal&) { ItlFile(ctx, req, res); }));
  server.Get("/api/v1/itl/show",
             ApiRoute(ctx, [&ctx](Req req, Res res, const Principal&) { ShowItl(ctx, req, res); }));
}

}  // namespace opencapf::admin
