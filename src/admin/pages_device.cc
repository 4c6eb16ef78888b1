// `/devices/{name}`: one phone, like the CAPF Information section of CUCM's phone page: the
// fields to schedule an operation, the status the server sets, the certificates and the history
// of sessions; and removing the phone.
#include <spdlog/spdlog.h>

#include "admin/device_actions.h"
#include "admin/guard.h"
#include "admin/http.h"
#include "admin/layout.h"
#include "admin/pages.h"
#include "admin/pages_capf_form.h"
#include "service/device_encryption.h"
#include "store/device_edit.h"

namespace opencapf::admin::pages {

namespace {

constexpr std::size_t kHistoryShown = 50;

/// What went wrong with a form, to show next to it.
struct FormError {
  std::string html;   ///< an ErrorBox
  std::string field;  ///< the API field at fault, or empty
};

std::string CertificateTable(const std::string& id, const store::StoredCertificate& c,
                             std::time_t now) {
  return "<table class=\"fields\" id=\"" + id +
         "\"><tbody>\n<tr><th>Serial Number</th><td class=\"mono serial\">" +
         HtmlEscape(c.serial_hex) + "</td></tr>\n<tr><th>Subject</th><td class=\"subject\">" +
         HtmlEscape(c.subject) + "</td></tr>\n<tr><th>Issuer</th><td>" + HtmlEscape(c.issuer) +
         "</td></tr>\n<tr><th>Valid From</th><td>" + TimeText(c.not_before) +
         "</td></tr>\n<tr><th>Valid To</th><td>" + TimeText(c.not_after) +
         "</td></tr>\n<tr><th>Days Left</th><td class=\"days-left\">" +
         DaysText(store::DaysLeft(c.not_after, now)) + "</td></tr>\n</tbody></table>\n";
}

// With Encrypted Configuration on and a phone whose configuration cannot be served encrypted:
// a warning row saying why and what to do; nothing otherwise.
std::string EncryptedConfigWarning(const store::Device& d) {
  if (!d.encrypted_config) return "";
  const std::string problem = service::EncryptedConfigProblem(d);
  if (problem.empty()) return "";
  return "<tr class=\"warn\" id=\"encrypted-config-warning\"><td colspan=\"2\" "
         "role=\"status\"><strong>Warning:</strong> Encrypted Configuration is on, but " +
         HtmlEscape(problem) +
         ". Or untick Encrypted Configuration to serve the phone's configuration "
         "unencrypted.</td></tr>\n";
}

std::string History(const std::vector<store::Event>& events) {
  std::string html = "<h2>Sessions (newest first)</h2>\n";
  if (events.empty()) return html + "<p id=\"history-empty\">No sessions yet.</p>\n";
  html +=
      "<table id=\"history\"><thead><tr><th>Time</th><th>Phone Address</th><th>Operation</th>"
      "<th>Result</th><th>Reason</th><th>Duration</th></tr></thead><tbody>\n";
  for (const auto& e : events) {
    // "issued" and the like are steps of a session, not verdicts.
    const std::string result_class = e.result == "success"   ? "status-success"
                                     : e.result == "aborted" ? "status-pending"
                                     : e.result == "failure" || e.result == "refused"
                                         ? "status-failed"
                                         : "status-none";
    html += "<tr><td class=\"time\">" + TimeText(e.at) + "</td><td>" +
            HtmlEscape(e.peer.empty() ? "-" : e.peer) + "</td><td>" + HtmlEscape(e.operation) +
            "</td><td class=\"result " + result_class + "\">" + HtmlEscape(e.result) +
            "</td><td class=\"reason\">" + HtmlEscape(e.reason) + "</td><td>" +
            std::to_string(e.duration_ms) + " ms</td></tr>\n";
  }
  return html + "</tbody></table>\n";
}

// `form` is drawn over `d`'s status, certificates and history; `version` is the version of the
// device the form's values were read from, posted back so a save can tell whether the device
// changed since (see the POST handler).
std::string DevicePage(AdminContext& ctx, FlashMessages& flashes, const Principal& who,
                       const store::Device& d, const CapfForm& form, std::int64_t version,
                       const FormError& save_error, const FormError& delete_error) {
  const std::time_t now = ctx.clock.Now();
  const std::string name = HtmlEscape(d.name);
  std::string body = flashes.TakeHtml(who);
  body += "<p><a href=\"/devices\">&larr; Phones</a></p>\n";
  body +=
      "<table class=\"fields\" id=\"device-information\"><tbody>\n<tr><th>Device "
      "Name</th><td id=\"device-name\">" +
      name + "</td></tr>\n<tr><th>Added</th><td>" + TimeText(d.created) +
      "</td></tr>\n<tr><th>Last changed</th><td>" + TimeText(d.updated) +
      "</td></tr>\n</tbody></table>\n";

  body += "<form method=\"post\" action=\"/devices/" + name + "\" id=\"capf-form\">\n" +
          CsrfField(who) + "\n<input type=\"hidden\" name=\"version\" id=\"version\" value=\"" +
          std::to_string(version) + "\">\n<section class=\"capf\" id=\"capf-information\">\n" +
          "<h2>CAPF Information</h2>\n" + save_error.html + "<table class=\"fields\"><tbody>\n" +
          CapfFieldRows(form, save_error.field) + EncryptedConfigWarning(d) +
          "<tr><th>Certificate Operation Status</th><td><span id=\"operation-status\" class=\"" +
          OperationStatusClass(d.operation_status) + "\">" + HtmlEscape(d.operation_status) +
          "</span></td></tr>\n<tr><th>LSC Status</th><td><span id=\"lsc-status\" "
          "data-status=\"" +
          std::string(store::ToText(d.lsc_status)) + "\">" + LscBadge(d.lsc_status) +
          "</span></td></tr>\n</tbody></table>\n<div class=\"actions\"><button type=\"submit\" "
          "class=\"primary\" id=\"save\">Save</button></div>\n</section>\n</form>\n";

  body += "<h2>Locally Significant Certificate (LSC)</h2>\n";
  body += d.lsc ? CertificateTable("lsc", *d.lsc, now)
                : "<p id=\"lsc-none\">No LSC installed. Schedule Install/Upgrade above.</p>\n";
  if (d.pending_lsc) {
    body +=
        "<h2>Pending LSC</h2>\n<p class=\"hint\">Issued in a session that ended before the phone "
        "confirmed storing it; it becomes the LSC when the phone confirms, and is revoked if the "
        "phone is removed.</p>\n" +
        CertificateTable("pending-lsc", *d.pending_lsc, now);
  }
  body += "<h2>Manufacturing Installed Certificate (MIC)</h2>\n";
  body += d.mic ? CertificateTable("mic", *d.mic, now)
                : "<p id=\"mic-none\">Not seen yet: the phone has not authenticated with its MIC "
                  "(or sent it in a Troubleshoot).</p>\n";

  auto events = ctx.store.History(d.name, kHistoryShown);
  if (events.ok()) {
    body += History(*events);
  } else {
    body += ErrorBox("The history could not be read: " + events.message());
  }

  body += "<section class=\"danger-zone\"><h2>Delete Phone</h2>\n" + delete_error.html +
          "<p>Removes " + name +
          " from opencapf. Its LSC is recorded as revoked and its history is kept; the phone "
          "itself keeps its LSC (schedule Delete first to take it off the phone).</p>\n"
          "<form method=\"post\" action=\"/devices/" +
          name + "/delete\" id=\"delete-form\" data-confirm=\"Delete " + name +
          "? Its LSC is revoked.\">" + CsrfField(who) +
          "<label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" id=\"confirm\"" +
          (delete_error.field == "confirm" ? " aria-invalid=\"true\"" : "") + "> Yes, delete " +
          name +
          "</label> <button type=\"submit\" class=\"danger\" id=\"delete\">Delete</button>"
          "</form>\n</section>\n";
  return Layout(&who, "Phone " + d.name, Nav::kDevices, body);
}

/// The device named in the path, or an answer already sent (404, 500).
std::optional<store::Device> Find(AdminContext& ctx, const Principal& who, const std::string& typed,
                                  httplib::Response& res) {
  auto name = store::NormalizeDeviceName(typed);
  if (!name.ok()) {
    SendHtml(res, 404, ErrorPage(who, "No such phone", name.message()));
    return std::nullopt;
  }
  auto got = ctx.store.Get(*name);
  if (!got.ok()) {
    spdlog::error("admin: /devices/{}: {}", *name, got.message());
    SendHtml(res, 500, ErrorPage(who, "The store could not be read", got.message()));
    return std::nullopt;
  }
  if (!*got) {
    SendHtml(res, 404,
             ErrorPage(who, "No such phone",
                       "There is no phone " + *name +
                           ". Add it with Add Phone on the Phones page, or import it."));
    return std::nullopt;
  }
  return **got;
}

/// What the administrator does next, after scheduling.
std::string NextStep(const AdminContext& ctx, const store::Device& d) {
  const std::string port =
      std::to_string(ctx.services ? ctx.services().capf_port : ctx.config.capf.port);
  std::string out = "Next: reset the phone (Apply Config) so it connects to CAPF on TCP " + port +
                    " before " + TimeText(d.complete_by) + ".";
  switch (d.operation) {
    case store::Operation::kInstall:
      out += " Its LSC Status goes to Pending, then Installed (Upgrade Success).";
      break;
    case store::Operation::kDelete:
      out += " It deletes its LSC (Delete Success).";
      break;
    case store::Operation::kTroubleshoot:
      out += " It sends its LSC, or its MIC, which is recorded (Troubleshoot Success).";
      break;
    case store::Operation::kNone:
      break;
  }
  if (d.auth == store::AuthMode::kAuthString) {
    out += " The phone's user enters the Authentication String when asked.";
  }
  return out;
}

/// The device as it is now, after a save found it changed since the form was drawn: the form
/// shows the stored values (not the posted ones, which may be what the device was before), so
/// saving again changes only what the user changes then.
void ChangedMeanwhile(AdminContext& ctx, FlashMessages& flashes, const Principal& who,
                      const store::Device& now, const std::string& why, httplib::Response& res) {
  const std::string message = now.name + " changed since you opened this page (" + why +
                              "; nothing was saved); here it is as it is now: check and save again";
  SendHtml(res, 409,
           DevicePage(ctx, flashes, who, now, FormFromDevice(now), now.version,
                      {ErrorBox(message), ""}, {}));
}

/// 404 for a device removed by someone else while its page was open.
void DeletedMeanwhile(const Principal& who, const std::string& name, httplib::Response& res) {
  SendHtml(res, 404,
           ErrorPage(who, "No such phone",
                     name + " was deleted while its page was open (by another administrator, "
                            "the API or the CLI); nothing was saved. Add it again with Add Phone "
                            "on the Phones page if it is still needed."));
}

}  // namespace

void RegisterDevicePage(httplib::Server& server, AdminContext& ctx, Flashes flashes) {
  server.Get(R"(/devices/([^/]+))",
             PageRoute(ctx, [&ctx, flashes](const httplib::Request& req, httplib::Response& res,
                                            const Principal& who) {
               auto d = Find(ctx, who, req.matches[1], res);
               if (!d) return;
               SendHtml(res, 200,
                        DevicePage(ctx, *flashes, who, *d, FormFromDevice(*d), d->version, {}, {}));
             }));

  server.Post(
      R"(/devices/([^/]+))",
      PageRoute(ctx, [&ctx, flashes](const httplib::Request& req, httplib::Response& res,
                                     const Principal& who) {
        auto d = Find(ctx, who, req.matches[1], res);
        if (!d) return;
        // Only what differs from the device as the page showed it is saved. Compared with a
        // device that changed since (the phone finished its Install/Upgrade, so the operation
        // went back to none), the page's old values would look like changes and schedule again.
        // A post without the field (made by hand) is compared with the device as it is now.
        const std::optional<std::string> opened = Param(req, "version");
        if (opened && Trim(*opened) != std::to_string(d->version)) {
          ChangedMeanwhile(ctx, *flashes, who, *d,
                           "last changed " + TimeText(d->updated) +
                               "; its Certificate Operation Status is now " + d->operation_status,
                           res);
          return;
        }
        const CapfForm form = FormFromRequest(req, FormFromDevice(*d));
        const store::DeviceFieldText fields = FieldsToChange(form, &*d);
        if (!fields.any()) {
          flashes->Set(who,
                       {false, "Nothing to save: " + d->name + " already has these values", {}});
          SeeOther(res, "/devices/" + d->name);
          return;
        }
        auto done = UpdateDevice(ctx, who, d->name, fields, FieldLabel);
        if (!done.ok()) {
          const ActionError& e = *done.error;
          if (e.status == 404) return DeletedMeanwhile(who, d->name, res);
          if (e.status == 409) {
            // The server kept changing it while this was saved: show it as it is now.
            auto now = ctx.store.Get(d->name);
            if (now.ok() && !*now) return DeletedMeanwhile(who, d->name, res);
            if (now.ok()) {
              return ChangedMeanwhile(
                  ctx, *flashes, who, **now,
                  "it kept changing while it was being saved, last at " + TimeText((*now)->updated),
                  res);
            }
          }
          const std::string message = InPageWords(e.message) +
                                      ". Nothing was saved; correct the field and Save "
                                      "again.";
          SendHtml(res, e.status >= 500 ? 500 : e.status,
                   DevicePage(ctx, *flashes, who, *d, form, d->version,
                              {ErrorBox(message), FieldAtFault(e.field, e.message)}, {}));
          return;
        }
        const ActionDone& v = done.value;
        Flash flash{false,
                    v.changes.empty() ? "Nothing to save: " + d->name + " already has these values"
                                      : "Saved " + d->name,
                    v.changes};
        for (const auto& n : v.notes) flash.lines.push_back("Note: " + n);
        if ((fields.operation || fields.complete_by) &&
            v.device.operation != store::Operation::kNone) {
          flash.lines.push_back(NextStep(ctx, v.device));
        }
        flashes->Set(who, std::move(flash));
        SeeOther(res, "/devices/" + d->name);
      }));

  server.Post(R"(/devices/([^/]+)/delete)",
              PageRoute(ctx, [&ctx, flashes](const httplib::Request& req, httplib::Response& res,
                                             const Principal& who) {
                auto d = Find(ctx, who, req.matches[1], res);
                if (!d) return;
                if (Param(req, "confirm").value_or("") != "yes") {
                  SendHtml(res, 400,
                           DevicePage(ctx, *flashes, who, *d, FormFromDevice(*d), d->version, {},
                                      {ErrorBox("Tick \"Yes, delete " + d->name +
                                                "\" to confirm; nothing was deleted."),
                                       "confirm"}));
                  return;
                }
                auto done = DeleteDevice(ctx, who, d->name);
                if (!done.ok()) {
                  const ActionError& e = *done.error;
                  if (e.status == 404) {
                    SendHtml(
                        res, 404,
                        ErrorPage(who, "No such phone",
                                  d->name + " was already deleted (by another administrator, the "
                                            "API or the CLI) while its page was open."));
                    return;
                  }
                  SendHtml(res, e.status >= 500 ? 500 : e.status,
                           DevicePage(ctx, *flashes, who, *d, FormFromDevice(*d), d->version, {},
                                      {ErrorBox(e.message), ""}));
                  return;
                }
                Flash flash{false, "Deleted " + d->name, {}};
                for (const auto& n : done.value.notes) flash.lines.push_back("Note: " + n);
                flashes->Set(who, std::move(flash));
                SeeOther(res, "/devices");
              }));
}

}  // namespace opencapf::admin::pages
