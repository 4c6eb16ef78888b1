#include "admin/http.h"

namespace opencapf::admin {

void SendJson(httplib::Response& res, int status, const nlohmann::ordered_json& body) {
  res.status = status;
  res.set_content(body.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n",
                  "application/json");
}

void SendError(httplib::Response& res, int status, std::string_view message, std::string_view field,
               const std::vector<std::string>& problems) {
  nlohmann::ordered_json body = {{"error", message}};
  if (!field.empty()) body["field"] = field;
  if (!problems.empty()) body["problems"] = problems;
  SendJson(res, status, body);
}

Result<nlohmann::json> ReadJsonObject(const httplib::Request& req,
                                      const std::set<std::string>& allowed) {
  const std::string type = req.get_header_value("Content-Type");
  if (!type.empty() && type.find("application/json") == std::string::npos) {
    return Fail("the body must be JSON (Content-Type: application/json), not " + type);
  }
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return Fail("the body is not valid JSON; send an object such as {\"operation\": \"install\"}");
  }
  if (!body.is_object()) return Fail("the body must be a JSON object ({...})");
  for (const auto& [key, value] : body.items()) {
    if (!allowed.contains(key)) {
      return Fail("unknown field '" + key + "'; the fields are: " + Join(allowed));
    }
  }
  return body;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  std::string_view rest = header;
  while (!rest.empty()) {
    const auto end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return {};
}

std::string CookieHeader(std::string_view name, std::string_view value,
                         std::optional<long> max_age) {
  std::string out =
      std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; Secure; SameSite=Strict";
  if (max_age) out += "; Max-Age=" + std::to_string(*max_age);
  return out;
}

std::string BearerToken(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size()) return {};
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return {};
    }
  }
  return header.substr(kBearer.size());
}

std::optional<std::string> Param(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name.c_str())) return std::nullopt;
  return req.get_param_value(name.c_str());
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

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace opencapf::admin
