// `/import`: bulk import of phones from CSV (the `device import` format), pasted or uploaded.
// All of the file or nothing: every problem is listed with its line.
#include "admin/device_actions.h"
#include "admin/guard.h"
#include "admin/http.h"
#include "admin/layout.h"
#include "admin/pages.h"

namespace opencapf::admin::pages {

namespace {

constexpr std::string_view kExample =
    "name,operation,auth,auth_string,key_order,rsa_bits,ec_curve,complete_by\n"
    "SEP001122334455,install,null-string,,,,,\n"
    "SEP0011223344AA,install,auth-string,24681357,ec-preferred-rsa-backup,,384,"
    "2026-12-01T10:00:00Z\n"
    "SEP0011223344BB,troubleshoot,existing-mic,,,,,+2d\n"
    "CSFJSMITH,,,,,,,\n";

std::string ImportForm(const Principal& who, const std::string& csv, const std::string& error) {
  return error +
         "<form method=\"post\" action=\"/import\" enctype=\"multipart/form-data\" "
         "id=\"import-form\">\n" +
         CsrfField(who) +
         "\n<p><label for=\"file\">CSV file</label> <input type=\"file\" id=\"file\" name=\"file\" "
         "accept=\".csv,text/csv,text/plain\"></p>\n<p><label for=\"csv\">or paste the "
         "lines</label></p>\n<textarea id=\"csv\" name=\"csv\" rows=\"12\" spellcheck=\"false\" "
         "placeholder=\"name,operation,auth\">" +
         HtmlEscape(csv) +
         "</textarea>\n<div class=\"actions\"><button type=\"submit\" class=\"primary\" "
         "id=\"import\">Import</button></div>\n</form>\n"
         "<h2>The columns</h2>\n<p>The first line names the columns: <code>name</code>, then any "
         "of <code>operation</code> (none, install, delete, troubleshoot), <code>auth</code> "
         "(null-string, auth-string, existing-lsc, existing-mic), <code>auth_string</code> (4-10 "
         "digits), <code>key_order</code> (rsa, ec, ec-preferred-rsa-backup), "
         "<code>rsa_bits</code> (1024, 2048, 3072, 4096), <code>ec_curve</code> (256, 384, 521), "
         "<code>complete_by</code> (2026-12-01T10:00:00Z or +2h), <code>encrypted_config</code> "
         "(on, off), in any order. An empty field takes the default; a scheduled row without "
         "complete_by gets one hour from now. The "
         "whole file is checked first: if any line is wrong, nothing is imported. Phones that "
         "exist already are refused (change them on their page).</p>\n"
         "<h2>Example</h2>\n<pre id=\"example\">" +
         HtmlEscape(kExample) + "</pre>\n";
}

}  // namespace

void RegisterImport(httplib::Server& server, AdminContext& ctx, Flashes flashes) {
  server.Get("/import", PageRoute(ctx, [flashes](const httplib::Request&, httplib::Response& res,
                                                 const Principal& who) {
               SendHtml(res, 200,
                        Layout(&who, "Bulk Import", Nav::kImport,
                               flashes->TakeHtml(who) + ImportForm(who, "", "")));
             }));

  server.Post(
      "/import", PageRoute(ctx, [&ctx, flashes](const httplib::Request& req, httplib::Response& res,
                                                const Principal& who) {
        // A multipart form (the page's) carries its fields in `files`; a plain one in
        // the parameters.
        std::string pasted, uploaded;
        if (req.is_multipart_form_data()) {
          if (req.has_file("csv")) pasted = req.get_file_value("csv").content;
          if (req.has_file("file")) uploaded = req.get_file_value("file").content;
        } else {
          pasted = Param(req, "csv").value_or("");
        }
        const bool use_file = !Trim(uploaded).empty();
        const std::string& csv = use_file ? uploaded : pasted;
        if (Trim(csv).empty()) {
          SendHtml(res, 400,
                   Layout(&who, "Bulk Import", Nav::kImport,
                          ImportForm(who, pasted,
                                     ErrorBox("Nothing to import: choose a CSV file or "
                                              "paste its lines, starting with the header "
                                              "line (name,operation,...)."))));
          return;
        }
        auto done = ImportDevices(ctx, who, csv);
        if (!done.ok()) {
          const ActionError& e = *done.error;
          std::string message = e.message;
          if (message.rfind("nothing imported", 0) == 0) message[0] = 'N';
          if (use_file) message = "The file: " + message;
          SendHtml(res, e.status >= 500 ? 500 : (e.status == 409 ? 409 : 400),
                   Layout(&who, "Bulk Import", Nav::kImport,
                          ImportForm(who, pasted, ErrorBox(message, e.problems))));
          return;
        }
        Flash flash{false,
                    "Imported " + std::to_string(done.value.added) +
                        (done.value.added == 1 ? " phone" : " phones") + ", " +
                        std::to_string(done.value.scheduled) + " with an operation scheduled",
                    {}};
        for (const auto& n : done.value.notes) flash.lines.push_back("Note: " + n);
        flashes->Set(who, std::move(flash));
        SeeOther(res, "/devices");
      }));
}

}  // namespace opencapf::admin::pages
