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
std::string SafeNext(const std::optional<std::string>& next) {
  if (!next || next->empty() || (*next)[0] != '/' || next->starts_with("//") ||
      next->find('\\') != std::string::npos) {
    return "/";
  }
  return *next;
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
    if (auto who = Authenticate(ctx, req); who && who->kind == Principal::Kind::kSession) {
      res.status = 303;
      res.set_header("Location", next);
      return;
    }
    ShowLogin(res, 200, next, "", "");
  });

  server.Post("/login", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string next = SafeNext(Param(req, "next"));
    const std::string user = Param(req, "user").value_or("");
    const std::string address = req.remote_addr;
    const std::time_t now = ctx.clock.Now();
    Principal who{Principal::Kind::kSession, user.empty() ? "?" : user, "", "", address};

    if (const std::time_t wait = ctx.login_limiter.WaitFor(address, now); wait > 0) {
      res.set_header("Retry-After", std::to_string(wait));
      ShowLogin(res, 429, next,
                "Too many failed logins from " + address + ". Wait " + std::to_string(wait) +
                    " seconds, then try again.",
                user);
      return;
    }
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
    const std::string password = Param(req, "password").value_or("");
    bool right = false;
    if (user == kAdminUser) {
      auto checked = CheckAdminPassword(ctx.store, password);
      if (!checked.ok()) {
        spdlog::error("admin: login: {}", checked.message());
        ShowLogin(res, 500, next, checked.message(), user);
        return;
      }
      right = *checked;
    }
    if (!right) {
      ctx.login_limiter.Failed(address, now);
      Audit(ctx, who, "login.failed", user, "wrong user name or password");
      ShowLogin(res, 401, next, "Wrong user name or password.", user);
      return;
    }
    ctx.login_limiter.Succeeded(address);
    auto version = AdminPasswordVersion(ctx.store);
    auto session = ctx.sessions.Create(kAdminUser, version.ok() ? *version : "", now);
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
