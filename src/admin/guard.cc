#include "admin/guard.h"

#include <spdlog/spdlog.h>

#include "admin/http.h"
#include "admin/layout.h"
#include "pki/secret.h"

namespace opencapf::admin {

namespace {

bool Changes(const httplib::Request& req) { return req.method != "GET" && req.method != "HEAD"; }

}  // namespace

Result<std::optional<Principal>> Authenticate(AdminContext& ctx, const httplib::Request& req) {
  const std::time_t now = ctx.clock.Now();
  const std::string bearer = BearerToken(req);
  if (!bearer.empty()) {
    auto name = CheckApiToken(ctx.store, bearer, now);
    if (!name.ok()) return Fail("checking the API token: " + name.message());
    if (!*name) return std::optional<Principal>();
    return std::optional<Principal>(
        Principal{Principal::Kind::kToken, **name, "", "", req.remote_addr});
  }
  const std::string cookie = CookieValue(req, kSessionCookie);
  if (cookie.empty()) return std::optional<Principal>();
  auto session = ctx.sessions.Find(cookie, now);
  if (!session) return std::optional<Principal>();
  // One small read per request: a password changed by `opencapf admin passwd` in another
  // process logs every session out at its next request.
  auto version = AdminPasswordVersion(ctx.store);
  if (!version.ok()) return Fail("checking the session: " + version.message());
  if (*version != session->password_version) {
    ctx.sessions.End(session->id);
    return std::optional<Principal>();
  }
  return std::optional<Principal>(Principal{Principal::Kind::kSession, session->user, session->id,
                                            session->csrf, req.remote_addr});
}

httplib::Server::Handler ApiRoute(AdminContext& ctx, GuardedHandler handler) {
  return [&ctx, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    auto checked = Authenticate(ctx, req);
    if (!checked.ok()) {
      spdlog::error("admin: {} {}: {}", req.method, req.path, checked.message());
      SendError(res, 500, "the store cannot be read (" + checked.message() + "); try again");
      return;
    }
    const std::optional<Principal>& who = *checked;
    if (!who) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"opencapf\"");
      const bool tried = !BearerToken(req).empty();
      SendError(res, 401,
                tried ? "the API token is not valid (revoked, or mistyped); make a new one with "
                        "'opencapf admin token create NAME'"
                      : "authentication required: send 'Authorization: Bearer TOKEN' with a token "
                        "from 'opencapf admin token create NAME', or log in on the page");
      return;
    }
    if (who->kind == Principal::Kind::kSession && Changes(req) &&
        !pki::ConstantTimeEqual(req.get_header_value(std::string(kCsrfHeader).c_str()),
                                who->csrf)) {
      SendError(res, 403,
                "the request has no valid X-CSRF-Token header; a page's script sends it "
                "(reload the page), scripts should use an API token instead");
      return;
    }
    handler(req, res, *who);
  };
}

httplib::Server::Handler PageRoute(AdminContext& ctx, GuardedHandler handler) {
  return [&ctx, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    auto checked = Authenticate(ctx, req);
    if (!checked.ok()) {
      spdlog::error("admin: {} {}: {}", req.method, req.path, checked.message());
      res.status = 500;
      res.set_content(
          Layout(nullptr, "Server error", Nav::kNone,
                 "<p class=\"error\" role=\"alert\">The store cannot be read (" +
                     HtmlEscape(checked.message()) + "). Reload the page in a moment.</p>"),
          "text/html; charset=utf-8");
      return;
    }
    const std::optional<Principal>& who = *checked;
    if (!who || who->kind != Principal::Kind::kSession) {
      std::string next = req.path;
      res.status = 303;
      res.set_header("Location", "/login?next=" + httplib::detail::encode_query_param(next));
      return;
    }
    if (Changes(req)) {
      const std::string field(kCsrfField);
      std::string given =
          req.has_param(field.c_str()) ? req.get_param_value(field.c_str()) : std::string();
      // A multipart form (a file upload) carries its fields among the files.
      if (given.empty() && req.is_multipart_form_data() && req.has_file(field.c_str())) {
        given = req.get_file_value(field.c_str()).content;
      }
      if (!pki::ConstantTimeEqual(given, who->csrf)) {
        spdlog::warn("admin: {} from {}: a form without its CSRF token was refused", req.path,
                     req.remote_addr);
        res.status = 403;
        res.set_content(
            ErrorPage(*who, "Form refused",
                      "This form did not carry its security token (CSRF), so nothing was "
                      "changed. Reload the page and submit the form again."),
            "text/html; charset=utf-8");
        return;
      }
    }
    handler(req, res, *who);
  };
}

}  // namespace opencapf::admin
