// /login and /logout: the password form, the session cookie, the per-address rate limit.
#include <spdlog/spdlog.h>

#include "admin/device_actions.h"
#include "admin/guard.h"
#include "admin/http.h"
#include "admin/layout.h"
#include "admin/routes.h"
#include "pki/secret.h"

namespace opencapf::admin {

namespace {

// Where to go after logging in: only a path on this site ("/devices?..."), never another host.
// Browsers drop tabs and line breaks from a Location header, so "/\t/evil.example" would become
// "//evil.example": only the characters a path and query of this site use are let through.
std::string SafeNext(const std::optional<std::string>& next) {
  static const std::string_view kAllowed =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._~?=&%+-";
  if (!next || next->empty() || next->size() > 512 || (*next)[0] != '/' ||
      (next->size() > 1 && (*next)[1] == '/') ||
      next->find_first_not_of(kAllowed) != std::string::npos) {
    return "/";
  }
  return *next;
}

// What a login attempt may write about its user name: the name typed is not trusted (it may be
// a password typed in the wrong box, or text made to look like another actor).
std::string TypedUser(const std::string& user) {
  return user == kAdminUser ? std::string(kAdminUser) : "(another user name)";
}

std::string LoginForm(const std::string& csrf, const std::string& next, const std::string& error,
                      const std::string& user) {
  std::string body;
  if (!error.empty()) {
    body += "<p class=\"error\" role=\"alert\" id=\"login-error\">" + HtmlEscape(error) + "</p>\n";
  }
  body +=
      "<form method=\"post\" action=\"/login\" class=\"login\">\n"
      "<input type=\"hidden\" name=\"" +
      std::string(kCsrfField) + "\" value=\"" + HtmlEscape(csrf) +
      "\">\n"
      "<input type=\"hidden\" name=\"next\" value=\"" +
      HtmlEscape(next) +
      "\">\n"
      "<label for=\"user\">User</label>\n"
      "<input id=\"user\" name=\"user\" autocomplete=\"username\" required value=\"" +
      HtmlEscape(user.empty() ? std::string(kAdminUser) : user) +
      "\">\n"
      "<label for=\"password\">Password</label>\n"
      "<input id=\"password\" name=\"password\" type=\"password\" "
      "autocomplete=\"current-password\" required autofocus>\n"
      "<button type=\"submit\">Log in</button>\n</form>\n"
      "<p class=\"hint\">The password is the one <code>opencapf init</code> printed, or the one "
      "set with <code>opencapf admin passwd</code>.</p>\n";
  return Layout(nullptr, "Log in", Nav::kNone, body);
}

// A login form carries a token that must equal a cookie set with it (the session's own token
// does not exist yet): another site can neither read the cookie nor set it.
void ShowLogin(httplib::Response& res, int status, const std::string& next,
               const std::string& error, const std::string& user) {
  const std::string csrf = pki::RandomToken();
  res.status = status;
  res.set_header("Set-Cookie", CookieHeader(kLoginCsrfCookie, csrf, 600));
  res.set_content(LoginForm(csrf, next, error, user), "text/html; charset=utf-8");
}

}  // namespace

void RegisterLogin(httplib::Server& server, AdminContext& ctx) {
  server.Get("/login", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string next = SafeNext(Param(req, "next"));
    if (auto who = Authenticate(ctx, req);
        who.ok() && *who && (*who)->kind == Principal::Kind::kSession) {
      res.status = 303;
      res.set_header("Location", next);
      return;
    }
    ShowLogin(res, 200, next, "", "");
  });

  server.Post("/login", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string next = SafeNext(Param(req, "next"));
    std::string user = Param(req, "user").value_or("");
    if (user.size() > 64) user.clear();  // not a user name; never echoed or logged
    const std::string address = req.remote_addr;
    const std::time_t now = ctx.clock.Now();
    Principal who{Principal::Kind::kSession, "anonymous", "", "", address};

    const std::string cookie = CookieValue(req, kLoginCsrfCookie);
    const std::string field = Param(req, std::string(kCsrfField)).value_or("");
    if (cookie.empty() || !pki::ConstantTimeEqual(cookie, field)) {
      spdlog::warn("admin: a login from {} without its form token was refused", address);
      ShowLogin(res, 403, next,
                "The login form expired or did not come from this site; it is shown again: "
                "log in once more.",
                user);
      return;
    }
    if (const std::time_t wait = ctx.login_limiter.Begin(address, now); wait > 0) {
      res.set_header("Retry-After", std::to_string(wait));
      ShowLogin(res, 429, next,
                "Too many failed logins from " + address + ". Wait " + std::to_string(wait) +
                    " seconds, then try again.",
                user);
      return;
    }
    const std::string password = Param(req, "password").value_or("");
    bool right = false;
    if (user == kAdminUser) {
      if (!ctx.password_checks.try_acquire_for(std::chrono::seconds(2))) {
        res.set_header("Retry-After", "2");
        ShowLogin(res, 503, next, "The server is busy checking other logins; try again.", user);
        return;
      }
      auto checked = CheckAdminPassword(ctx.store, password);
      ctx.password_checks.release();
      if (!checked.ok()) {
        spdlog::error("admin: login: {}", checked.message());
        ShowLogin(res, 500, next, checked.message(), user);
        return;
      }
      right = *checked;
    }
    if (!right) {
      Audit(ctx, who, "login.failed", TypedUser(user), "wrong user name or password");
      ShowLogin(res, 401, next, "Wrong user name or password.", user);
      return;
    }
    auto version = AdminPasswordVersion(ctx.store);
    if (!version.ok()) {
      spdlog::error("admin: login: {}", version.message());
      ShowLogin(res, 500, next, "The store cannot be read: " + version.message(), user);
      return;
    }
    ctx.login_limiter.Succeeded(address);
    auto session = ctx.sessions.Create(kAdminUser, *version, now);
    who.name = session.user;
    Audit(ctx, who, "login", session.user, "");
    res.status = 303;
    res.set_header("Set-Cookie", CookieHeader(kSessionCookie, session.id));
    res.set_header("Location", next);
  });

  // Who is asking: the page's script reads its CSRF token here too.
  server.Get("/api/v1/session", ApiRoute(ctx, [](const httplib::Request&, httplib::Response& res,
                                                 const Principal& who) {
               nlohmann::ordered_json body = {
                   {"user", who.name},
                   {"kind", who.kind == Principal::Kind::kSession ? "session" : "token"}};
               if (who.kind == Principal::Kind::kSession) body["csrf"] = who.csrf;
               SendJson(res, 200, body);
             }));

  server.Post("/logout", PageRoute(ctx, [&ctx](const httplib::Request&, httplib::Response& res,
                                               const Principal& who) {
                ctx.sessions.End(who.session_id);
                Audit(ctx, who, "logout", who.name, "");
                res.status = 303;
                res.set_header("Set-Cookie", CookieHeader(kSessionCookie, "", 0));
                res.set_header("Location", "/login");
              }));
}

}  // namespace opencapf::admin
