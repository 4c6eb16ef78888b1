// The web pages: what they share, and RegisterPages.
#include "admin/pages.h"

#include <map>
#include <memory>
#include <mutex>

#include "admin/http.h"
#include "admin/routes.h"
#include "admin/static_assets.h"
#include "store/time_text.h"

namespace opencapf::admin {

void RegisterPages(httplib::Server& server, AdminContext& ctx) {
  RegisterStaticAssets(server);
  // The handlers hold it: it goes with the routes, when the server goes.
  auto flashes = std::make_shared<pages::FlashMessages>();
  pages::RegisterDashboard(server, ctx, flashes);
  pages::RegisterDeviceList(server, ctx, flashes);
  pages::RegisterDevicePage(server, ctx, flashes);
  pages::RegisterImport(server, ctx, flashes);
  pages::RegisterReport(server, ctx);
  pages::RegisterCertificates(server, ctx);
  pages::RegisterItl(server, ctx);
  pages::RegisterAudit(server, ctx);
}

namespace pages {

void SendHtml(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_content(html, "text/html; charset=utf-8");
}

void SeeOther(httplib::Response& res, const std::string& location) {
  res.status = 303;
  res.set_header("Location", location);
}

std::string FieldLabel(std::string_view field) {
  static const std::map<std::string_view, std::string_view> kLabels = {
      {"name", "Device Name"},
      {"operation", "Certificate Operation"},
      {"auth", "Authentication Mode"},
      {"auth_string", "Authentication String"},
      {"key_order", "Key Order"},
      {"rsa_bits", "RSA Key Size (Bits)"},
      {"ec_curve", "EC Key Size (Bits)"},
      {"complete_by", "Operation Completes By"},
      {"encrypted_config", "Encrypted Configuration"},
      // The search and report forms'.
      {"q", "Device Name contains"},
      {"lsc_status", "LSC Status"},
      {"operation_status", "Certificate Operation Status"},
      {"expiring_within", "LSC expiring within"},
  };
  auto it = kLabels.find(field);
  return it == kLabels.end() ? std::string(field) : std::string(it->second);
}

std::string FieldAtFault(std::string_view field, std::string_view message) {
  if (!field.empty()) return std::string(field);
  std::size_t first = std::string_view::npos;
  std::string found;
  for (std::string_view f :
       {"auth_string", "complete_by", "rsa_bits", "ec_curve", "key_order", "auth "}) {
    const std::size_t at = message.find(f);
    if (at < first) {
      first = at;
      found = f == "auth " ? "auth" : std::string(f);
    }
  }
  return found;
}

std::string InPageWords(std::string message) {
  // Longest phrases first, so that "auth auth-string" is rewritten before "auth_string" would
  // be split, and a label is never rewritten twice.
  static const std::vector<std::pair<std::string, std::string>> kWords = [] {
    std::vector<std::pair<std::string, std::string>> words = {
        {"complete_by (Operation Completes By)", "Operation Completes By"},
        {"choose another auth mode", "choose another Authentication Mode"},
        {"set auth to auth-string", "set Authentication Mode to By Authentication String"},
    };
    for (auto mode : {store::AuthMode::kNullString, store::AuthMode::kAuthString,
                      store::AuthMode::kExistingLsc, store::AuthMode::kExistingMic}) {
      words.emplace_back("auth " + std::string(store::ToText(mode)),
                         "Authentication Mode " + std::string(store::DisplayText(mode)));
    }
    for (auto op :
         {store::Operation::kInstall, store::Operation::kDelete, store::Operation::kTroubleshoot}) {
      words.emplace_back("operation " + std::string(store::ToText(op)),
                         "Certificate Operation " + std::string(store::DisplayText(op)));
    }
    for (std::string_view field :
         {"auth_string", "complete_by", "rsa_bits", "ec_curve", "key_order", "encrypted_config"}) {
      words.emplace_back(std::string(field), FieldLabel(field));
    }
    return words;
  }();
  for (const auto& [from, to] : kWords) {
    for (std::size_t at = message.find(from); at != std::string::npos;
         at = message.find(from, at + to.size())) {
      message.replace(at, from.size(), to);
    }
  }
  return message;
}

// ----- Flash ----------------------------------------------------------------------------------

namespace {

// A flash is taken by the very next page, so only sessions that never came back leave one
// behind; past this many one of them (the first by session id, an arbitrary one) is dropped.
constexpr std::size_t kMaxFlashes = 1024;

}  // namespace

void FlashMessages::Set(const Principal& who, Flash flash) {
  std::lock_guard lock(mu_);
  if (flashes_.size() >= kMaxFlashes && !flashes_.contains(who.session_id)) {
    flashes_.erase(flashes_.begin());
  }
  flashes_[who.session_id] = std::move(flash);
}

std::optional<Flash> FlashMessages::Take(const Principal& who) {
  std::lock_guard lock(mu_);
  auto it = flashes_.find(who.session_id);
  if (it == flashes_.end()) return std::nullopt;
  Flash flash = std::move(it->second);
  flashes_.erase(it);
  return flash;
}

std::string FlashMessages::TakeHtml(const Principal& who) {
  auto flash = Take(who);
  if (!flash) return "";
  std::string html =
      std::string("<div class=\"flash ") + (flash->error ? "flash-error" : "flash-ok") +
      "\" role=\"status\" id=\"flash\"><p><strong>" + HtmlEscape(flash->title) + "</strong></p>";
  if (!flash->lines.empty()) {
    html += "<ul>";
    for (const auto& line : flash->lines) html += "<li>" + HtmlEscape(line) + "</li>";
    html += "</ul>";
  }
  return html + "</div>\n";
}

// ----- HTML pieces ----------------------------------------------------------------------------

std::string ErrorBox(std::string_view message, const std::vector<std::string>& problems) {
  std::string html =
      "<div class=\"error\" role=\"alert\" id=\"form-error\"><p>" + HtmlEscape(message) + "</p>";
  if (!problems.empty()) {
    html += "<ul class=\"problems\">";
    for (const auto& p : problems) html += "<li>" + HtmlEscape(p) + "</li>";
    html += "</ul>";
  }
  return html + "</div>\n";
}

std::string Select(std::string_view name,
                   const std::vector<std::pair<std::string, std::string>>& options,
                   std::string_view selected, std::string_view extra_attributes) {
  std::string html = "<select id=\"" + HtmlEscape(name) + "\" name=\"" + HtmlEscape(name) + "\"" +
                     (extra_attributes.empty() ? "" : " " + std::string(extra_attributes)) + ">";
  for (const auto& [value, label] : options) {
    html += "<option value=\"" + HtmlEscape(value) + "\"" + (value == selected ? " selected" : "") +
            ">" + HtmlEscape(label) + "</option>";
  }
  return html + "</select>";
}

std::string LscBadge(store::LscStatus status) {
  return "<span class=\"badge badge-" + std::string(store::ToText(status)) + "\">" +
         std::string(store::DisplayText(status)) + "</span>";
}

std::string OperationStatusClass(std::string_view status) {
  if (status.find(" Failed") != std::string_view::npos) return "status-failed";
  if (status == store::kStatusPending) return "status-pending";
  if (status.ends_with("Success")) return "status-success";
  return "status-none";
}

std::string TimeText(std::optional<std::time_t> t) { return t ? store::FormatTime(*t) : "-"; }

std::string DaysText(long long days_left) {
  if (days_left < 0) {
    const long long ago = -days_left;
    return "expired " + std::to_string(ago) + (ago == 1 ? " day ago" : " days ago");
  }
  if (days_left == 0) return "expires today";
  return std::to_string(days_left) + (days_left == 1 ? " day" : " days");
}

std::string QueryValue(std::string_view value) {
  return httplib::detail::encode_query_param(std::string(value));
}

}  // namespace pages
}  // namespace opencapf::admin
