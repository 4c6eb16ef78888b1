// `/itl`: the ITLFile.tlv phones get from TFTP now, as CUCM's `show itl` prints it, and the
// file itself to download.
#include "admin/guard.h"
#include "admin/http.h"
#include "admin/layout.h"
#include "admin/pages.h"
#include "tlv/show.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace opencapf::admin::pages {

namespace {

std::shared_ptr<const Bytes> Served(AdminContext& ctx) {
  return ctx.served_itl ? ctx.served_itl() : nullptr;
}

constexpr std::string_view kNoneServed =
    "No ITL is served: TFTP is not running in this server (start it with opencapf serve), so "
    "phones get no ITLFile.tlv from it.";

}  // namespace

void RegisterItl(httplib::Server& server, AdminContext& ctx) {
  server.Get(
      "/itl",
      PageRoute(ctx, [&ctx](const httplib::Request&, httplib::Response& res, const Principal& who) {
        auto itl = Served(ctx);
        if (!itl) {
          SendHtml(res, 200,
                   Layout(&who, "ITL", Nav::kItl,
                          "<p id=\"no-itl\">" + HtmlEscape(kNoneServed) + "</p>\n"));
          return;
        }
        auto list = tlv::Parse(*itl);
        if (!list.ok()) {
          SendHtml(
              res, 500,
              ErrorPage(who, "ITL", "The served ITLFile.tlv cannot be parsed: " + list.message()));
          return;
        }
        const tlv::Verification verification = tlv::Verify(*itl, *list);
        std::string body =
            "<p>The <code>ITLFile.tlv</code> phones download from TFTP now (" +
            std::to_string(itl->size()) + " bytes, " + std::to_string(list->records.size()) +
            " records), as <code>show itl</code> prints it. Check that it has a record "
            "whose FUNCTION is CAPF.</p>\n<div class=\"actions\"><a class=\"button\" "
            "id=\"download-itl\" href=\"/itl/ITLFile.tlv\" download>Download "
            "ITLFile.tlv</a></div>\n";
        if (!verification.valid()) {
          body += ErrorBox("The served ITL does not verify: " + verification.reason);
        }
        body += "<pre id=\"show-itl\">" +
                HtmlEscape(tlv::RenderShowItl(*itl, *list, verification)) + "</pre>\n";
        SendHtml(res, 200, Layout(&who, "ITL", Nav::kItl, body));
      }));

  server.Get(
      "/itl/ITLFile.tlv",
      PageRoute(ctx, [&ctx](const httplib::Request&, httplib::Response& res, const Principal& who) {
        auto itl = Served(ctx);
        if (!itl) {
          SendHtml(res, 404, ErrorPage(who, "ITL", kNoneServed));
          return;
        }
        res.status = 200;
        res.set_header("Content-Disposition", "attachment; filename=\"ITLFile.tlv\"");
        res.set_content(std::string(itl->begin(), itl->end()), "application/octet-stream");
      }));
}

}  // namespace opencapf::admin::pages
