#include "admin/admin_test_harness.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "admin/auth.h"
#include "pki/secret.h"
#include "service/data_dir.h"
#include "service/service_itl.h"
#include "store/sqlite_store.h"

namespace opencapf::admin::testing {

namespace {

std::filesystem::path TestDirectory() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "-" + info->name();
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return std::filesystem::temp_directory_path() /
         ("opencapf-admin-" + std::to_string(::getpid()) + "-" + name);
}

}  // namespace

std::vector<std::string> AllBetween(std::string_view text, std::string_view before, char end) {
  std::vector<std::string> out;
  for (auto at = text.find(before); at != std::string_view::npos; at = text.find(before, at)) {
    at += before.size();
    const auto stop = text.find(end, at);
    out.emplace_back(text.substr(at, stop == std::string_view::npos ? stop : stop - at));
    if (stop == std::string_view::npos) break;
    at = stop;
  }
  return out;
}

std::string Between(std::string_view text, std::string_view before, char end) {
  auto all = AllBetween(text, before, end);
  return all.empty() ? std::string() : all.front();
}

// The fake clock starts at the real time: the server's certificate is made by it, and the
// client checks its validity by the real one.
AdminHarness::AdminHarness() : AdminHarness(HarnessOptions{}) {}

AdminHarness::AdminHarness(const HarnessOptions& options)
    : data_(TestDirectory()), clock_(std::time(nullptr)) {
  std::filesystem::remove_all(data_);
  const service::DataDir dir(data_);
  auto made = service::Init(dir, {}, clock_);
  if (!made.ok()) {
    ADD_FAILURE() << made.message();
    return;
  }
  auto store = store::OpenSqliteStore(dir.store(), clock_);
  if (!store.ok()) {
    ADD_FAILURE() << store.message();
    return;
  }
  store_ = std::move(*store);
  // A cheap scrypt cost: logging in many times must not slow the suite down.
  auto hash = pki::HashPassword(kPassword, {1u << 10, 8, 1});
  if (!hash.ok() || !store_->SetAdminPassword(*hash).ok()) {
    ADD_FAILURE() << "cannot set the test password";
    return;
  }
  auto config = service::LoadConfig(dir.config());
  if (!config.ok()) {
    ADD_FAILURE() << config.message();
    return;
  }
  auto context = std::unique_ptr<AdminContext>(
      new AdminContext{dir, *config, *store_, clock_, metrics_, nullptr, nullptr, nullptr});
  if (options.serve_itl) {
    RebuildItl();
    context->served_itl = [this] { return itl(); };
    context->reload = [this](const std::string& why) {
      RebuildItl();
      std::lock_guard lock(mu_);
      reloads_.push_back(why);
      return Status::Ok();
    };
  }
  auto server = AdminServer::Create(std::move(context), {"127.0.0.1", 0});
  if (!server.ok()) {
    ADD_FAILURE() << server.message();
    return;
  }
  server_ = std::move(*server);
  server_->Start();
}

AdminHarness::~AdminHarness() {
  if (server_) server_->Stop();
  server_.reset();
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(data_, ec);
}

void AdminHarness::RebuildItl() {
  auto built = service::BuildServiceItl(service::DataDir(data_), {},
                                        static_cast<std::uint32_t>(clock_.Now()));
  if (!built.ok()) {
    ADD_FAILURE() << built.message();
    return;
  }
  std::lock_guard lock(mu_);
  itl_ = std::make_shared<const Bytes>(std::move(*built));
}

std::shared_ptr<const Bytes> AdminHarness::itl() const {
  std::lock_guard lock(mu_);
  return itl_;
}

std::vector<std::string> AdminHarness::reloads() const {
  std::lock_guard lock(mu_);
  return reloads_;
}

std::unique_ptr<httplib::SSLClient> AdminHarness::Client() const {
  auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", server_ ? server_->port() : 1);
  client->set_ca_cert_path(service::DataDir(data_).certificate(service::kAdmin).c_str());
  client->enable_server_certificate_verification(true);
  client->set_connection_timeout(5);
  client->set_read_timeout(10);
  return client;
}

AdminHarness::Login AdminHarness::LogIn() {
  auto client = Client();
  auto form = client->Get("/login");
  if (!form || form->status != 200) {
    ADD_FAILURE() << "GET /login failed";
    return {};
  }
  const std::string set_cookie = form->get_header_value("Set-Cookie");
  const std::string login_csrf = Between(set_cookie, std::string(kLoginCsrfCookie) + "=", ';');
  if (login_csrf.empty()) {
    ADD_FAILURE() << "no login CSRF cookie in " << set_cookie;
    return {};
  }
  httplib::Params params{{"user", "admin"}, {"password", kPassword}, {"csrf", login_csrf}};
  httplib::Headers headers{{"Cookie", std::string(kLoginCsrfCookie) + "=" + login_csrf}};
  auto posted = client->Post("/login", headers, params);
  if (!posted || posted->status != 303) {
    ADD_FAILURE() << "POST /login: " << (posted ? std::to_string(posted->status) : "no answer");
    return {};
  }
  std::string session_id;
  for (const auto& [k, v] : posted->headers) {
    if (k == "Set-Cookie" && v.starts_with(kSessionCookie)) {
      session_id = Between(v, std::string(kSessionCookie) + "=", ';');
    }
  }
  if (session_id.empty()) {
    ADD_FAILURE() << "no session cookie after logging in";
    return {};
  }
  Login login{std::string(kSessionCookie) + "=" + session_id, ""};
  auto session = client->Get("/api/v1/session", httplib::Headers{{"Cookie", login.cookie}});
  if (session) login.csrf = Between(session->body, "\"csrf\": \"", '"');
  if (login.csrf.empty()) ADD_FAILURE() << "GET /api/v1/session gave no CSRF token";
  return login;
}

std::string AdminHarness::Token(const std::string& name) {
  auto token = CreateApiToken(*store_, name);
  if (!token.ok()) {
    ADD_FAILURE() << token.message();
    return {};
  }
  return *token;
}

httplib::Headers AdminHarness::Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

}  // namespace opencapf::admin::testing
