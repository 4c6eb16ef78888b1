// The administration server over real HTTPS on 127.0.0.1: TLS with its own certificate, login,
// cookies, CSRF, the rate limit, /healthz and /metrics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "admin/admin_test_harness.h"
#include "admin/auth.h"
#include "pki/secret.h"

namespace opencapf::admin {
namespace {

using testing::AdminHarness;
using ::testing::HasSubstr;
using ::testing::Not;

std::string LoginCsrf(const httplib::Result& form) {
  return testing::Between(form->get_header_value("Set-Cookie"), std::string(kLoginCsrfCookie) + "=",
                          ';');
}

/// A login form as a browser holds it: the client, the form's token and the cookie it came with.
struct LoginForm {
  std::unique_ptr<httplib::SSLClient> client;
  std::string csrf;
  httplib::Headers cookie;
};

LoginForm OpenLoginForm(const AdminHarness& h) {
  LoginForm f{h.Client(), "", {}};
  auto form = f.client->Get("/login");
  if (!form) {
    ADD_FAILURE() << "GET /login failed";
    return f;
  }
  f.csrf = LoginCsrf(form);
  f.cookie = {{"Cookie", std::string(kLoginCsrfCookie) + "=" + f.csrf}};
  return f;
}

TEST(AdminServerTest, LoginSetsAHardenedSessionCookie) {
  AdminHarness h;
  auto client = h.Client();
  auto form = client->Get("/login");
  ASSERT_TRUE(form) << "TLS with the admin certificate, verified by name 127.0.0.1";
  EXPECT_EQ(form->status, 200);
  EXPECT_THAT(form->body, HasSubstr("name=\"password\""));
  EXPECT_EQ(form->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_THAT(form->get_header_value("Content-Security-Policy"), HasSubstr("script-src 'self'"));
  const std::string csrf = LoginCsrf(form);
  const httplib::Headers cookie{{"Cookie", std::string(kLoginCsrfCookie) + "=" + csrf}};

  auto posted = client->Post("/login", cookie,
                             httplib::Params{{"user", "admin"},
                                             {"password", testing::kPassword},
                                             {"csrf", csrf},
                                             {"next", "/devices"}});
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 303);
  EXPECT_EQ(posted->get_header_value("Location"), "/devices");
  std::string session;
  for (const auto& [k, v] : posted->headers) {
    if (k == "Set-Cookie" && v.starts_with(kSessionCookie)) session = v;
  }
  EXPECT_THAT(session, HasSubstr("HttpOnly"));
  EXPECT_THAT(session, HasSubstr("Secure"));
  EXPECT_THAT(session, HasSubstr("SameSite=Strict"));
  auto audit = h.store().ListAudit(0);
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ((*audit)[0].action, "login");
  EXPECT_EQ((*audit)[0].peer, "127.0.0.1");
}

TEST(AdminServerTest, WrongPasswordMissingTokenAndForeignNextAreRefused) {
  AdminHarness h;
  auto [client, csrf, cookie] = OpenLoginForm(h);
  ASSERT_FALSE(csrf.empty());

  auto wrong = client->Post(
      "/login", cookie, httplib::Params{{"user", "admin"}, {"password", "guess"}, {"csrf", csrf}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_THAT(wrong->body, HasSubstr("Wrong user name or password"));
  EXPECT_EQ((*h.store().ListAudit(1))[0].action, "login.failed");

  auto no_token =
      client->Post("/login", httplib::Params{{"user", "admin"}, {"password", testing::kPassword}});
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403) << "a login form without its token is refused";

  auto elsewhere = client->Post("/login", cookie,
                                httplib::Params{{"user", "admin"},
                                                {"password", testing::kPassword},
                                                {"csrf", csrf},
                                                {"next", "//evil.example/"}});
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->get_header_value("Location"), "/");
  // Browsers drop a tab from a Location header: "/\t/evil.example" would become protocol-relative.
  for (const char* next :
       {"/\t/evil.example", "/\\evil.example", "/\n/evil.example", "https://evil.example/"}) {
    auto form_again = client->Get("/login");
    const std::string token = LoginCsrf(form_again);
    auto r = client->Post(
        "/login", httplib::Headers{{"Cookie", std::string(kLoginCsrfCookie) + "=" + token}},
        httplib::Params{
            {"user", "admin"}, {"password", testing::kPassword}, {"csrf", token}, {"next", next}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("Location"), "/") << next;
  }
}

TEST(AdminServerTest, WhatAFailedLoginTypedIsNotWrittenAnywhere) {
  AdminHarness h;
  auto [client, csrf, cookie] = OpenLoginForm(h);
  ASSERT_FALSE(csrf.empty());
  // A password typed into the user box, and a name made to look like a token.
  for (const char* user : {"my secret password", "token ci-script"}) {
    auto r = client->Post("/login", cookie,
                          httplib::Params{{"user", user}, {"password", "x"}, {"csrf", csrf}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  auto audit = h.store().ListAudit(0);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  for (const auto& e : *audit) {
    EXPECT_EQ(e.actor, "anonymous");
    EXPECT_EQ(e.target, "(another user name)");
    EXPECT_THAT(e.detail, Not(HasSubstr("secret")));
  }
}

TEST(AdminServerTest, TooManyFailuresAreRateLimited) {
  AdminHarness h;
  auto [client, csrf, cookie] = OpenLoginForm(h);
  ASSERT_FALSE(csrf.empty());
  const httplib::Params wrong{{"user", "admin"}, {"password", "guess"}, {"csrf", csrf}};
  for (int i = 0; i < 5; ++i) {
    auto r = client->Post("/login", cookie, wrong);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  const httplib::Params right{{"user", "admin"}, {"password", testing::kPassword}, {"csrf", csrf}};
  auto limited = client->Post("/login", cookie, right);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429) << "even the right password waits";
  EXPECT_EQ(limited->get_header_value("Retry-After"), "300");
  h.clock().Advance(300);
  auto later = client->Post("/login", cookie, right);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 303);
}

TEST(AdminServerTest, HealthzIsOpenMetricsNeedsAToken) {
  AdminHarness h;
  auto client = h.Client();
  auto health = client->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_THAT(health->body, HasSubstr("\"store\": \"ok\""));

  auto anonymous = client->Get("/metrics");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer realm=\"opencapf\"");

  h.metrics().Describe("opencapf_capf_sessions_total", "CAPF sessions by result.");
  h.metrics().Count("opencapf_capf_sessions_total", {{"result", "success"}}, 2);
  auto metrics = client->Get("/metrics", AdminHarness::Bearer(h.Token()));
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->body, HasSubstr("opencapf_capf_sessions_total{result=\"success\"} 2\n"));
  EXPECT_THAT(metrics->body, HasSubstr("opencapf_certificate_days_left{certificate=\"capf\"} "));
  EXPECT_THAT(metrics->body, HasSubstr("opencapf_devices{lsc_status=\"installed\"} 0\n"));

  auto bad = client->Get("/metrics", AdminHarness::Bearer("ocf_wrong"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_THAT(bad->body, HasSubstr("not valid"));
}

TEST(AdminServerTest, SessionChangesNeedTheCsrfHeader) {
  AdminHarness h;
  const auto login = h.LogIn();
  ASSERT_FALSE(login.csrf.empty());
  auto client = h.Client();
  auto who = client->Get("/api/v1/session", httplib::Headers{{"Cookie", login.cookie}});
  ASSERT_TRUE(who);
  EXPECT_EQ(who->status, 200);
  auto logout_without =
      client->Post("/logout", httplib::Headers{{"Cookie", login.cookie}}, httplib::Params{});
  ASSERT_TRUE(logout_without);
  EXPECT_EQ(logout_without->status, 403);
  auto logout = client->Post("/logout", httplib::Headers{{"Cookie", login.cookie}},
                             httplib::Params{{"csrf", login.csrf}});
  ASSERT_TRUE(logout);
  EXPECT_EQ(logout->status, 303);
  auto after = client->Get("/api/v1/session", httplib::Headers{{"Cookie", login.cookie}});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401) << "logged out";
}

TEST(AdminServerTest, ChangingThePasswordEndsEverySession) {
  AdminHarness h;
  const auto login = h.LogIn();
  auto client = h.Client();
  const httplib::Headers cookie{{"Cookie", login.cookie}};
  ASSERT_EQ(client->Get("/api/v1/session", cookie)->status, 200);
  // What `opencapf admin passwd` does, from another process in real life.
  ASSERT_TRUE(
      h.store().SetAdminPassword(*pki::HashPassword("another password!", {1024, 8, 1})).ok());
  EXPECT_EQ(client->Get("/api/v1/session", cookie)->status, 401);
}

}  // namespace
}  // namespace opencapf::admin
