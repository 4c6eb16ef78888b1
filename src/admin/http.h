#pragma once

// Small helpers every handler of the administration server uses: JSON and error responses,
// reading JSON bodies strictly, HTML escaping, cookies, and the few string functions the API
// and the pages share.

#include <httplib.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace opencapf::admin {

/// Writes `body` as the JSON response with `status`.
void SendJson(httplib::Response& res, int status, const nlohmann::ordered_json& body);

/// An error response: {"error": message, "field": field (when given), "problems": [...]}.
void SendError(httplib::Response& res, int status, std::string_view message,
               std::string_view field = {}, const std::vector<std::string>& problems = {});

/// The request body as a JSON object, refusing anything else (not JSON, not an object, a field
/// not in `allowed`) with a message naming what was wrong; the error's text is what to send back
/// with 400.
Result<nlohmann::json> ReadJsonObject(const httplib::Request& req,
                                      const std::set<std::string>& allowed);

/// "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" for the five characters that matter in HTML text
/// and attribute values.
std::string HtmlEscape(std::string_view text);

/// The value of cookie `name` in the request's Cookie header, or empty.
std::string CookieValue(const httplib::Request& req, std::string_view name);

/// A Set-Cookie value: HttpOnly, Secure, SameSite=Strict, Path=/; `max_age` 0 deletes it.
std::string CookieHeader(std::string_view name, std::string_view value,
                         std::optional<long> max_age = std::nullopt);

/// The bearer token of an "Authorization: Bearer ..." header, or empty.
std::string BearerToken(const httplib::Request& req);

/// A query parameter or form field, or nullopt when absent.
std::optional<std::string> Param(const httplib::Request& req, const std::string& name);

/// `text` with its letters lower-cased (ASCII), for case-insensitive search.
std::string Lower(std::string_view text);

/// `text` without leading and trailing blanks.
std::string Trim(std::string_view text);

/// "a, b, c": the names in their order, for messages that list the choices.
std::string Join(const std::set<std::string>& names);

}  // namespace opencapf::admin
