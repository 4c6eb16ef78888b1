// `/devices`: finding phones (by name, LSC Status, Certificate Operation Status, Authentication
// String, as CUCM's Find and List Phones does) and adding one.
#include <spdlog/spdlog.h>

#include "admin/device_actions.h"
#include "admin/device_search.h"
#include "admin/guard.h"
#include "admin/http.h"
#include "admin/layout.h"
#include "admin/pages.h"
#include "admin/pages_capf_form.h"
#include "store/device_edit.h"

namespace opencapf::admin::pages {

namespace {

using Options = std::vector<std::pair<std::string, std::string>>;

std::string SearchForm(const DeviceQuery& s) {
  Options lsc = {{"", "Any"}};
  for (auto st : {store::LscStatus::kInstalled, store::LscStatus::kNotInstalled,
                  store::LscStatus::kPending}) {
    lsc.emplace_back(store::ToText(st), store::DisplayText(st));
  }
  Options status = {{"", "Any"}};
  // The kinds of failure first: the filter matches every reason of a kind.
  for (const char* kind : {"Upgrade Failed", "Delete Failed", "Troubleshoot Failed"}) {
    status.emplace_back(kind, std::string(kind) + " (any reason)");
  }
  for (const auto& st : store::AllOperationStatuses()) status.emplace_back(st, st);
  bool known = s.operation_status.empty();
  for (const auto& o : status) known = known || o.first == s.operation_status;
  if (!known) status.emplace_back(s.operation_status, s.operation_status);

  return "<form class=\"filters\" method=\"get\" action=\"/devices\" id=\"search\">\n"
         "<label for=\"q\">Device Name contains<input type=\"text\" id=\"q\" name=\"q\" value=\"" +
         HtmlEscape(s.q) +
         "\" placeholder=\"SEP0011\"></label>\n"
         "<label for=\"lsc_status\">LSC Status" +
         Select("lsc_status", lsc, s.lsc_status) +
         "</label>\n<label for=\"operation_status\">Certificate Operation Status" +
         Select("operation_status", status, s.operation_status) +
         "</label>\n<label for=\"auth_string\">Authentication String<input type=\"text\" "
         "id=\"auth_string\" name=\"auth_string\" inputmode=\"numeric\" autocomplete=\"off\" "
         "value=\"" +
         HtmlEscape(s.auth_string) +
         "\"></label>\n<button type=\"submit\" class=\"primary\">Find</button> <a "
         "href=\"/devices\">Clear</a>\n</form>\n";
}

std::string DeviceRows(const std::vector<store::Device>& devices, std::time_t now) {
  std::string html =
      "<table id=\"devices\"><thead><tr><th>Device Name</th><th>LSC Status</th>"
      "<th>Certificate Operation</th><th>Certificate Operation Status</th>"
      "<th>Operation Completes By</th><th>LSC expires</th></tr></thead><tbody>\n";
  for (const auto& d : devices) {
    const std::string name = HtmlEscape(d.name);
    std::string expires = "-";
    if (d.lsc) {
      const long long days = store::DaysLeft(d.lsc->not_after, now);
      expires = TimeText(d.lsc->not_after).substr(0, 10) + " (" + DaysText(days) + ")";
    }
    html += "<tr data-device=\"" + name + "\"><td class=\"name\"><a href=\"/devices/" + name +
            "\">" + name + "</a></td><td class=\"lsc-status\">" + LscBadge(d.lsc_status) +
            "</td><td class=\"operation\">" + std::string(store::DisplayText(d.operation)) +
            "</td><td class=\"operation-status " + OperationStatusClass(d.operation_status) +
            "\">" + HtmlEscape(d.operation_status) + "</td><td class=\"complete-by\">" +
            TimeText(d.complete_by) + "</td><td class=\"lsc-expires\">" + expires + "</td></tr>\n";
  }
  return html + "</tbody></table>\n";
}

std::string NewDeviceForm(const Principal& who, const std::string& name, const CapfForm& form,
                          const std::string& error_html, const std::string& invalid) {
  return error_html + "<form method=\"post\" action=\"/devices\" id=\"device-form\">\n" +
         CsrfField(who) +
         "\n<table class=\"fields\"><tbody>\n<tr><th><label for=\"name\">Device "
         "Name</label></th><td><input type=\"text\" id=\"name\" name=\"name\" required "
         "autocomplete=\"off\" placeholder=\"SEP001122AABBCC\" value=\"" +
         HtmlEscape(name) + "\"" +
         (invalid == "name" ? " class=\"invalid\" aria-invalid=\"true\"" : "") +
         "><div class=\"hint\">SEP followed by the phone's MAC address (12 hex digits), or "
         "CSF, BOT, TCT, TAB followed by a user id.</div></td></tr>\n</tbody></table>\n"
         "<section class=\"capf\"><h2>CAPF Information</h2>\n<table class=\"fields\"><tbody>\n" +
         CapfFieldRows(form, invalid) +
         "</tbody></table></section>\n<div class=\"actions\"><button type=\"submit\" "
         "class=\"primary\" id=\"save\">Save</button> <a href=\"/devices\">Cancel</a></div>\n"
         "</form>\n";
}

}  // namespace

void RegisterDeviceList(httplib::Server& server, AdminContext& ctx, Flashes flashes) {
  server.Get(
      "/devices", PageRoute(ctx, [&ctx, flashes](const httplib::Request& req,
                                                 httplib::Response& res, const Principal& who) {
        const DeviceQuery s = DeviceQuery::FromRequest(req);
        std::string body = flashes->TakeHtml(who) +
                           "<div class=\"actions\"><a class=\"button primary\" "
                           "href=\"/devices/new\" id=\"add-phone\">Add Phone</a> <a "
                           "class=\"button\" href=\"/import\">Bulk Import</a></div>\n" +
                           SearchForm(s);
        auto found = FindDevices(ctx, s);
        if (!found.ok()) {
          const ActionError& e = *found.error;
          if (e.status >= 500) spdlog::error("admin: /devices: {}", e.message);
          body += ErrorBox(e.field.empty() ? "The phones could not be listed: " + e.message
                                           : FieldLabel(e.field) + ": " + e.message);
          SendHtml(res, e.status >= 500 ? 500 : 400, Layout(&who, "Phones", Nav::kDevices, body));
          return;
        }
        const std::vector<store::Device>& shown = found.value;
        const bool filtered = s.any();
        body += "<p id=\"result-count\">" + std::to_string(shown.size()) +
                (shown.size() == 1 ? " phone" : " phones") + (filtered ? " match." : ".") +
                "</p>\n";
        if (shown.empty()) {
          body += filtered ? "<p>No phone matches these conditions.</p>\n"
                           : "<p>No phones yet: <a href=\"/devices/new\">add one</a> or "
                             "<a href=\"/import\">import a CSV file</a>.</p>\n";
        } else {
          body += DeviceRows(shown, ctx.clock.Now());
        }
        SendHtml(res, 200, Layout(&who, "Phones", Nav::kDevices, body));
      }));

  server.Get(
      "/devices/new",
      PageRoute(ctx, [](const httplib::Request&, httplib::Response& res, const Principal& who) {
        SendHtml(
            res, 200,
            Layout(&who, "Add Phone", Nav::kDevices, NewDeviceForm(who, "", CapfForm{}, "", "")));
      }));

  server.Post("/devices",
              PageRoute(ctx, [&ctx, flashes](const httplib::Request& req, httplib::Response& res,
                                             const Principal& who) {
                const std::string name = Trim(Param(req, "name").value_or(""));
                const CapfForm form = FormFromRequest(req, CapfForm{});
                auto done = CreateDevice(ctx, who, name, FieldsToChange(form, nullptr), FieldLabel);
                if (!done.ok()) {
                  const ActionError& e = *done.error;
                  std::string message = InPageWords(e.message);
                  std::string extra;
                  if (e.status == 409) {
                    auto normalized = store::NormalizeDeviceName(name);
                    const std::string canonical = normalized.ok() ? *normalized : name;
                    message = "A phone named " + canonical +
                              " already exists; nothing was added. Open it to change its CAPF "
                              "Information, or choose another Device Name.";
                    extra = "<p><a href=\"/devices/" + HtmlEscape(canonical) + "\">Open " +
                            HtmlEscape(canonical) + "</a></p>\n";
                  }
                  SendHtml(res, e.status == 409 ? 409 : (e.status >= 500 ? 500 : 400),
                           Layout(&who, "Add Phone", Nav::kDevices,
                                  NewDeviceForm(who, name, form, ErrorBox(message) + extra,
                                                FieldAtFault(e.field, e.message))));
                  return;
                }
                Flash flash{false, "Added " + done.value.device.name, {}};
                for (const auto& n : done.value.notes) flash.lines.push_back("Note: " + n);
                flashes->Set(who, std::move(flash));
                SeeOther(res, "/devices/" + done.value.device.name);
              }));
}

}  // namespace opencapf::admin::pages
