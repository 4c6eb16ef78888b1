// `/itl`: the ITLFile.tlv phones get from TFTP now, as CUCM's `show itl` prints it, and the
// file itself to download.
#include "admin/guard.h"
#include "admin/http.h"
#include "admin/layout.h"
#include "admin/pages.h"
#include "admin/served_itl.h"

namespace opencapf::admin::pages {

namespace {

constexpr std::string_view kNoneServed =
    "No ITL is served: TFTP is not running in this server (start it with opencapf serve), so "
    "phones get no ITLFile.tlv from it.";

}  // namespace

void RegisterItl(httplib::Server& server, AdminContext& ctx) {
  server.Get(
      "/itl",
      PageRoute(ctx, [&ctx](const httplib::Request&, httplib::Response& res, const Principal& who) {
        auto served = ServedItl(ctx);
        if (!served) {
          SendHtml(res, 200,
                   Layout(&who, "ITL", Nav::kItl,
                          "<p id=\"no-itl\">" + HtmlEscape(kNoneServed) + "</p>\n"));
          return;
        }
        auto itl = ReadServedItl(served);
        if (!itl.ok()) {
          SendHtml(res, 500, ErrorPage(who, "ITL", "The ITL cannot be shown: " + itl.message()));
          return;
        }
        std::string body =
            "<p>The <code>ITLFile.tlv</code> phones download from TFTP now (" +
            std::to_string(served->size()) + " bytes, " + std::to_string(itl->list.records.size()) +
            " records), as <code>show itl</code> prints it. Check that it has a record "
            "whose FUNCTION is CAPF.</p>\n<div class=\"actions\"><a class=\"button\" "
            "id=\"download-itl\" href=\"/itl/ITLFile.tlv\" download>Download "
            "ITLFile.tlv</a></div>\n";
        if (!itl->verification.valid()) {
          body += ErrorBox("The served ITL does not verify: " + itl->verification.reason);
        }
        body += "<pre id=\"show-itl\">" + HtmlEscape(itl->ShowItl()) + "</pre>\n";
        SendHtml(res, 200, Layout(&who, "ITL", Nav::kItl, body));
      }));

  server.Get(
      "/itl/ITLFile.tlv",
      PageRoute(ctx, [&ctx](const httplib::Request&, httplib::Response& res, const Principal& who) {
        auto served = ServedItl(ctx);
        if (!served) {
          SendHtml(res, 404, ErrorPage(who, "ITL", kNoneServed));
          return;
        }
        SendItlFile(res, *served);
      }));
}

}  // namespace opencapf::admin::pages
