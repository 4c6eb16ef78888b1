#include "admin/layout.h"

#include "admin/http.h"

namespace opencapf::admin {

std::string CsrfField(const Principal& who) {
  return "<input type=\"hidden\" name=\"" + std::string(kCsrfField) + "\" value=\"" +
         HtmlEscape(who.csrf) + "\">";
}

std::string Layout(const Principal* who, std::string_view title, Nav active,
                   std::string_view body) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>" +
      HtmlEscape(title) +
      " - opencapf</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
      "<script src=\"/static/app.js\" defer></script>\n";
  if (who != nullptr) {
    html += "<meta name=\"csrf-token\" content=\"" + HtmlEscape(who->csrf) + "\">\n";
  }
  html += "</head>\n<body>\n<header><a class=\"brand\" href=\"/\">opencapf</a>\n";
  if (who != nullptr) {
    struct Entry {
      Nav nav;
      const char* path;
      const char* label;
    };
    static const Entry kEntries[] = {
        {Nav::kDashboard, "/", "Dashboard"},
        {Nav::kDevices, "/devices", "Phones"},
        {Nav::kImport, "/import", "Bulk Import"},
        {Nav::kReport, "/report", "CAPF Report"},
        {Nav::kCertificates, "/certificates", "Certificates"},
        {Nav::kItl, "/itl", "ITL"},
        {Nav::kAudit, "/audit", "Audit Log"},
    };
    html += "<nav>";
    for (const auto& e : kEntries) {
      html += std::string("<a href=\"") + e.path + "\"" +
              (e.nav == active ? " class=\"active\" aria-current=\"page\"" : "") + ">" + e.label +
              "</a>";
    }
    html += "</nav>\n<form class=\"logout\" method=\"post\" action=\"/logout\">" + CsrfField(*who) +
            "<span>" + HtmlEscape(who->name) +
            "</span> <button type=\"submit\">Log out</button></form>\n";
  }
  html += "</header>\n<main>\n<h1>" + HtmlEscape(title) + "</h1>\n";
  html += body;
  html += "\n</main>\n</body>\n</html>\n";
  return html;
}

std::string ErrorPage(const Principal& who, std::string_view title, std::string_view message) {
  return Layout(&who, title, Nav::kNone,
                "<p class=\"error\" role=\"alert\">" + HtmlEscape(message) + "</p>");
}

}  // namespace opencapf::admin
