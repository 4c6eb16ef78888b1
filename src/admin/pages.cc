// The web pages: what they share, and RegisterPages.
#include "admin/pages.h"

#include <map>
#include <mutex>

#include "admin/http.h"
#include "admin/routes.h"
#include "admin/static_assets.h"
#include "store/time_text.h"

namespace opencapf::admin {

void RegisterPages(httplib::Server& server, AdminContext& ctx) {
  RegisterStaticAssets(server);
  pages::RegisterDashboard(server, ctx);
  pages::RegisterDeviceList(server, ctx);
  pages::RegisterDevicePage(server, ctx);
  pages::RegisterImport(server, ctx);
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
         {"auth_string", "complete_by", "rsa_bits", "ec_curve", "key_order"}) {
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

// Keyed by session id. Bounded: a flash is taken by the very next page, so only sessions that
// never came back leave one behind.
constexpr std::size_t kMaxFlashes = 1024;

std::mutex flash_mu;
std::map<std::string, Flash>& Flashes() {
  static std::map<std::string, Flash> flashes;
  return flashes;
}

}  // namespace

void SetFlash(const Principal& who, Flash flash) {
  std::lock_guard lock(flash_mu);
  auto& flashes = Flashes();
  if (flashes.size() >= kMaxFlashes && !flashes.contains(who.session_id)) {
    flashes.erase(flashes.begin());
  }
  flashes[who.session_id] = std::move(flash);
}

std::optional<Flash> TakeFlash(const Principal& who) {
  std::lock_guard lock(flash_mu);
  auto& flashes = Flashes();
  auto it = flashes.find(who.session_id);
  if (it == flashes.end()) return std::nullopt;
  Flash flash = std::move(it->second);
  flashes.erase(it);
  return flash;
}

std::string FlashHtml(const Principal& who) {
  auto flash = TakeFlash(who);
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

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string QueryValue(std::string_view value) {
  return httplib::detail::encode_query_param(std::string(value));
}

}  // namespace pages
}  // namespace opencapf::admin
