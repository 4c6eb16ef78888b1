// The web pages over real HTTPS: each page behind the login, the forms' CSRF check, validation
// messages in the page's words with the typed values kept, redirects after a change, and HTML
// escaping of everything that did not come from the page itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

#include "admin/admin_test_harness.h"
#include "admin/auth.h"
#include "admin/routes.h"
#include "base/clock.h"
#include "base/metrics.h"
#include "pki/issuer.h"
#include "service/data_dir.h"
#include "store/sqlite_store.h"
#include "store/time_text.h"

namespace opencapf::admin {
namespace {

using testing::AdminHarness;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kPhone = "SEP001122334455";
constexpr const char* kOther = "SEP0011223344AA";

class PagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    login_ = h_.LogIn();
    client_ = h_.Client();
  }

  httplib::Headers Cookie() const { return {{"Cookie", login_.cookie}}; }

  httplib::Result Get(const std::string& path) { return client_->Get(path.c_str(), Cookie()); }

  /// A form POST with the session cookie; the CSRF field is added unless `with_csrf` is false.
  httplib::Result Post(const std::string& path, httplib::Params params, bool with_csrf = true) {
    if (with_csrf) params.emplace("csrf", login_.csrf);
    return client_->Post(path.c_str(), Cookie(), params);
  }

  void AddDevice(store::Device d) { ASSERT_TRUE(h_.store().Add(d).ok()); }

  /// The version the device page's form carries (its hidden field), or -1.
  long long FormVersion(const std::string& html) {
    const std::string v = testing::Between(html, "name=\"version\" id=\"version\" value=\"", '"');
    return v.empty() ? -1 : std::stoll(v);
  }

  store::Device Stored(const std::string& name) {
    auto got = h_.store().Get(name);
    EXPECT_TRUE(got.ok() && got->has_value()) << name;
    return got.ok() && *got ? **got : store::Device{};
  }

  /// An installed device, as a CAPF session leaves it.
  store::Device Installed(const std::string& name) {
    store::Device d{.name = name};
    d.lsc_status = store::LscStatus::kInstalled;
    d.operation_status = std::string(store::kStatusUpgradeSuccess);
    d.lsc = store::StoredCertificate{.pem = "-",
                                     .serial_hex = "5A0F01",
                                     .subject = "CN=" + name,
                                     .issuer = "CN=CAPF-test",
                                     .not_before = h_.clock().Now() - 86400,
                                     .not_after = h_.clock().Now() + 400 * 86400};
    return d;
  }

  AdminHarness h_;
  AdminHarness::Login login_;
  std::unique_ptr<httplib::SSLClient> client_;
};

TEST_F(PagesTest, EveryPageWantsALogin) {
  auto anonymous = h_.Client();
  for (const char* path : {"/", "/devices", "/devices/new", "/devices/SEP001122334455", "/import",
                           "/report", "/report.csv", "/certificates", "/certificates/capf.pem",
                           "/itl", "/itl/ITLFile.tlv", "/audit"}) {
    auto r = anonymous->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 303) << path;
    EXPECT_THAT(r->get_header_value("Location"), StartsWith("/login?next=")) << path;
  }
  auto post = anonymous->Post("/devices", httplib::Params{{"name", kPhone}});
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 303);
  EXPECT_FALSE(*h_.store().Get(kPhone));
}

TEST_F(PagesTest, StaticAssetsAreServedToAnyoneWithTheirTypes) {
  auto anonymous = h_.Client();
  auto css = anonymous->Get("/static/style.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
  EXPECT_THAT(css->get_header_value("Content-Type"), StartsWith("text/css"));
  EXPECT_THAT(css->body, HasSubstr(".badge-installed"));
  auto js = anonymous->Get("/static/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_THAT(js->get_header_value("Content-Type"), StartsWith("text/javascript"));
  EXPECT_THAT(js->body, HasSubstr("crypto.getRandomValues"));
}

TEST_F(PagesTest, EveryPageShowsWhatItIsFor) {
  AddDevice({.name = kPhone});
  const std::vector<std::pair<std::string, std::vector<std::string>>> pages = {
      {"/",
       {"Dashboard", "Phones by LSC Status", "Installed", "Not Installed", "Pending",
        "Operation Pending", "Upgrade Failed", "Service certificates expiring within 60",
        "LSCs expiring within 90 days", "without the phone services", "Renewals",
        "are renewed by their LSC, at most 60 an hour"}},
      {"/devices",
       {"Add Phone", "LSC Status", "Certificate Operation Status", "Operation Completes By",
        "data-device=\"SEP001122334455\"", "<td class=\"lsc-status\">",
        "Upgrade Failed (any reason)"}},
      {"/devices/new",
       {"Device Name", "CAPF Information", "Certificate Operation", "Install/Upgrade",
        "By Null String", "Generate String"}},
      {"/devices/SEP001122334455",
       {"CAPF Information",
        "Certificate Operation",
        "No Pending Operation",
        "Install/Upgrade",
        "Troubleshoot",
        "Authentication Mode",
        "By Existing Certificate (Precedence to LSC)",
        "Authentication String",
        "Generate String",
        "Key Order",
        "EC Preferred, RSA Backup",
        "RSA Key Size (Bits)",
        "EC Key Size (Bits)",
        "521",
        "Operation Completes By",
        "+1h or 2026-12-01T10:00:00Z",
        "Certificate Operation Status",
        "LSC Status",
        "Not Installed",
        "No sessions yet",
        "Delete"}},
      {"/import",
       {"Bulk Import", "name,operation,auth,auth_string", "enctype=\"multipart/form-data\"",
        "type=\"file\""}},
      {"/report",
       {"CAPF Report", "1 devices: 0 Installed, 1 Not Installed", "Download CSV",
        "href=\"/report.csv\""}},
      {"/certificates", {"CAPF (issues LSCs)", "SHA-256", "/certificates/capf.pem", "In ITL"}},
      {"/itl", {"No ITL is served"}},
      {"/audit", {"Audit Log", "login"}},
  };
  for (const auto& [path, texts] : pages) {
    auto r = Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_THAT(r->get_header_value("Content-Type"), StartsWith("text/html")) << path;
    for (const auto& text : texts) EXPECT_THAT(r->body, HasSubstr(text)) << path;
    EXPECT_THAT(r->body, HasSubstr("name=\"csrf-token\"")) << path;
    EXPECT_THAT(r->body, Not(HasSubstr(" style="))) << path << ": CSP allows no inline style";
    EXPECT_THAT(r->body, Not(HasSubstr("<script>"))) << path << ": CSP allows no inline script";
  }
}

TEST_F(PagesTest, TheDashboardShowsTheRenewalPlan) {
  store::Device soon = Installed(kPhone);
  soon.lsc->not_after = h_.clock().Now() + 5 * 86400;
  AddDevice(soon);
  AddDevice(Installed(kOther));  // 400 days left: not in the plan
  auto page = Get("/");
  ASSERT_TRUE(page);
  const std::string table = testing::Between(page->body, "<table id=\"renewals\">", '!');
  EXPECT_THAT(table, HasSubstr("data-device=\"SEP001122334455\""));
  EXPECT_THAT(table, HasSubstr("due now"));
  EXPECT_THAT(page->body.substr(page->body.find("<table id=\"renewals\">")),
              Not(HasSubstr("data-device=\"SEP0011223344AA\"")));
}

TEST_F(PagesTest, SavingSchedulesAndRedirectsWithWhatChanged) {
  AddDevice({.name = kPhone});
  auto saved = Post("/devices/SEP001122334455", {{"operation", "install"},
                                                 {"auth", "null-string"},
                                                 {"auth_string", ""},
                                                 {"key_order", "rsa"},
                                                 {"rsa_bits", "2048"},
                                                 {"ec_curve", "256"},
                                                 {"complete_by", ""}});
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->status, 303);
  EXPECT_EQ(saved->get_header_value("Location"), "/devices/SEP001122334455");
  const store::Device d = Stored(kPhone);
  EXPECT_EQ(d.operation, store::Operation::kInstall);
  EXPECT_EQ(d.operation_status, store::kStatusPending);
  ASSERT_TRUE(d.complete_by);
  EXPECT_EQ(*d.complete_by, h_.clock().Now() + 3600);

  auto page = Get("/devices/SEP001122334455");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("Saved SEP001122334455"));
  EXPECT_THAT(page->body, HasSubstr("Certificate Operation: No Pending Operation -&gt; "
                                    "Install/Upgrade"));
  EXPECT_THAT(page->body, HasSubstr("Operation Completes By is one hour from now"));
  EXPECT_THAT(page->body, HasSubstr("Next: reset the phone"));
  EXPECT_THAT(page->body, HasSubstr("value=\"" + store::FormatTime(*d.complete_by) + "\""))
      << "Operation Completes By is prefilled in ISO 8601 UTC";
  auto again = Get("/devices/SEP001122334455");
  ASSERT_TRUE(again);
  EXPECT_THAT(again->body, Not(HasSubstr("Saved SEP001122334455"))) << "a flash shows once";

  auto audit = h_.store().ListAudit(1);
  ASSERT_TRUE(audit.ok() && !audit->empty());
  EXPECT_EQ((*audit)[0].action, "device.schedule");
}

TEST_F(PagesTest, SavingAnUntouchedPageDoesNotReschedule) {
  store::Device d{.name = kPhone};
  d.operation = store::Operation::kInstall;
  d.operation_status = std::string(store::kStatusPending);
  d.complete_by = h_.clock().Now() + 7200;
  AddDevice(d);
  const store::Device before = Stored(kPhone);
  h_.clock().Advance(600);
  auto saved =
      Post("/devices/SEP001122334455", {{"operation", "install"},
                                        {"auth", "null-string"},
                                        {"auth_string", ""},
                                        {"key_order", "rsa"},
                                        {"rsa_bits", "2048"},
                                        {"ec_curve", "256"},
                                        {"complete_by", store::FormatTime(*d.complete_by)}});
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->status, 303);
  EXPECT_EQ(Stored(kPhone).version, before.version) << "nothing written";
  auto page = Get("/devices/SEP001122334455");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("Nothing to save"));

  // Only the key order changes: the deadline and the status stay.
  auto key = Post("/devices/SEP001122334455", {{"operation", "install"},
                                               {"auth", "null-string"},
                                               {"key_order", "ec"},
                                               {"rsa_bits", "2048"},
                                               {"ec_curve", "384"},
                                               {"complete_by", store::FormatTime(*d.complete_by)}});
  ASSERT_TRUE(key);
  EXPECT_EQ(key->status, 303);
  const store::Device after = Stored(kPhone);
  EXPECT_EQ(after.key_order, store::KeyOrder::kEc);
  EXPECT_EQ(after.ec_curve, 384);
  EXPECT_EQ(after.complete_by, d.complete_by);
  EXPECT_EQ((*h_.store().ListAudit(1))[0].action, "device.update");
}

TEST_F(PagesTest, AStalePageDoesNotScheduleAgain) {
  // The page is opened while Install/Upgrade is pending...
  store::Device d{.name = kPhone};
  d.operation = store::Operation::kInstall;
  d.operation_status = std::string(store::kStatusPending);
  d.complete_by = h_.clock().Now() + 7200;
  AddDevice(d);
  auto page = Get("/devices/SEP001122334455");
  ASSERT_TRUE(page);
  const long long opened = FormVersion(page->body);
  EXPECT_EQ(opened, Stored(kPhone).version) << "the form carries the version it shows";

  // ... then the phone completes it, as the CAPF server records it...
  store::Device done = Installed(kPhone);
  done.version = Stored(kPhone).version;
  ASSERT_TRUE(h_.store().Save(done, std::nullopt).ok());
  const store::Device finished = Stored(kPhone);
  ASSERT_EQ(finished.operation, store::Operation::kNone);

  // ... and the administrator, on the page as it was, changes only the Key Order.
  const httplib::Params stale = {{"operation", "install"},
                                 {"auth", "null-string"},
                                 {"auth_string", ""},
                                 {"key_order", "ec"},
                                 {"rsa_bits", "2048"},
                                 {"ec_curve", "256"},
                                 {"complete_by", store::FormatTime(*d.complete_by)},
                                 {"version", std::to_string(opened)}};
  auto refused = Post("/devices/SEP001122334455", stale);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409);
  EXPECT_THAT(refused->body, HasSubstr("SEP001122334455 changed since you opened this page ("));
  EXPECT_THAT(refused->body, HasSubstr("Certificate Operation Status is now Upgrade Success"));
  EXPECT_THAT(refused->body, HasSubstr("here it is as it is now: check and save again"));
  EXPECT_THAT(refused->body, HasSubstr("<option value=\"none\" selected>"))
      << "the form shows the device as it is now, not as posted";
  EXPECT_THAT(refused->body, HasSubstr("<option value=\"rsa\" selected>"));
  EXPECT_EQ(FormVersion(refused->body), finished.version);
  const store::Device after = Stored(kPhone);
  EXPECT_EQ(after.version, finished.version) << "nothing was written";
  EXPECT_EQ(after.operation, store::Operation::kNone) << "not scheduled again";
  EXPECT_EQ(after.key_order, store::KeyOrder::kRsa);

  // Saved again from the page it was given back, the change is made, and only it.
  httplib::Params again = {{"operation", "none"}, {"auth", "null-string"},
                           {"auth_string", ""},   {"key_order", "ec"},
                           {"rsa_bits", "2048"},  {"ec_curve", "256"},
                           {"complete_by", ""},   {"version", std::to_string(finished.version)}};
  auto saved = Post("/devices/SEP001122334455", again);
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->status, 303);
  const store::Device now = Stored(kPhone);
  EXPECT_EQ(now.key_order, store::KeyOrder::kEc);
  EXPECT_EQ(now.operation, store::Operation::kNone);
  EXPECT_EQ(now.operation_status, store::kStatusUpgradeSuccess);
}

TEST_F(PagesTest, TheScriptFindsTheAuthenticationStringHint) {
  AddDevice({.name = kPhone});
  auto js = client_->Get("/static/app.js");
  ASSERT_TRUE(js);
  std::string hint;
  for (const auto& id : testing::AllBetween(js->body, "getElementById('", '\'')) {
    if (id.ends_with("-hint")) hint = id;
  }
  ASSERT_FALSE(hint.empty()) << "app.js rewrites a hint";
  for (const char* path : {"/devices/SEP001122334455", "/devices/new"}) {
    auto page = Get(path);
    ASSERT_TRUE(page) << path;
    EXPECT_THAT(page->body, HasSubstr("id=\"" + hint + "\"")) << path;
  }
}

TEST_F(PagesTest, AFormWithoutItsCsrfTokenChangesNothing) {
  AddDevice({.name = kPhone});
  auto update = Post("/devices/SEP001122334455", {{"operation", "install"}}, false);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->status, 403);
  EXPECT_THAT(update->body, HasSubstr("security token (CSRF)"));
  EXPECT_EQ(Stored(kPhone).operation, store::Operation::kNone);

  auto wrong = client_->Post("/devices/SEP001122334455", Cookie(),
                             httplib::Params{{"operation", "install"}, {"csrf", "forged"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  EXPECT_EQ(Stored(kPhone).operation, store::Operation::kNone);

  auto create = Post("/devices", {{"name", kOther}}, false);
  ASSERT_TRUE(create);
  EXPECT_EQ(create->status, 403);
  EXPECT_FALSE(*h_.store().Get(kOther));

  auto remove = Post("/devices/SEP001122334455/delete", {{"confirm", "yes"}}, false);
  ASSERT_TRUE(remove);
  EXPECT_EQ(remove->status, 403);
  EXPECT_TRUE(*h_.store().Get(kPhone));

  const httplib::MultipartFormDataItems upload = {
      {"file", "name\nSEP0011223344BB\n", "phones.csv", "text/csv"}};
  auto import = client_->Post("/import", Cookie(), upload);
  ASSERT_TRUE(import);
  EXPECT_EQ(import->status, 403);
  EXPECT_FALSE(*h_.store().Get("SEP0011223344BB"));
}

TEST_F(PagesTest, AnInvalidAuthenticationStringIsShownWithTheFormAsTyped) {
  AddDevice({.name = kPhone});
  auto r = Post("/devices/SEP001122334455", {{"operation", "install"},
                                             {"auth", "auth-string"},
                                             {"auth_string", "12ab"},
                                             {"key_order", "rsa"},
                                             {"rsa_bits", "2048"},
                                             {"ec_curve", "256"},
                                             {"complete_by", "+2h"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("Authentication String &#39;12ab&#39; must be 4-10 digits"));
  EXPECT_THAT(r->body, HasSubstr("Nothing was saved"));
  EXPECT_THAT(r->body, Not(HasSubstr("auth_string &#39;"))) << "in the page's words";
  EXPECT_THAT(r->body, HasSubstr("value=\"12ab\"")) << "the typed value is kept";
  EXPECT_THAT(r->body, HasSubstr("value=\"+2h\""));
  EXPECT_THAT(r->body, HasSubstr("<option value=\"auth-string\" selected>"));
  EXPECT_THAT(r->body, HasSubstr("aria-invalid=\"true\""));
  const store::Device d = Stored(kPhone);
  EXPECT_EQ(d.operation, store::Operation::kNone);
  EXPECT_FALSE(d.auth_string);

  auto late =
      Post("/devices/SEP001122334455",
           {{"operation", "install"}, {"auth", "null-string"}, {"complete_by", "tomorrow"}});
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 400);
  EXPECT_THAT(late->body, HasSubstr("Operation Completes By: "));
  EXPECT_THAT(late->body, HasSubstr("value=\"tomorrow\""));

  auto missing = Post("/devices/SEP001122334455",
                      {{"operation", "install"}, {"auth", "auth-string"}, {"auth_string", ""}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_THAT(missing->body,
              HasSubstr("Authentication Mode By Authentication String needs an Authentication "
                        "String of 4-10 digits"));
  EXPECT_EQ(Stored(kPhone).operation, store::Operation::kNone);
}

TEST_F(PagesTest, AddingAPhone) {
  auto bad = Post("/devices", {{"name", "SEP0011"}, {"operation", "none"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("exactly 12 hex digits"));
  EXPECT_THAT(bad->body, HasSubstr("value=\"SEP0011\""));

  auto added = Post("/devices", {{"name", "sep001122334455"},
                                 {"operation", "install"},
                                 {"auth", "auth-string"},
                                 {"auth_string", "24681357"},
                                 {"key_order", "rsa"},
                                 {"rsa_bits", "3072"},
                                 {"ec_curve", "256"},
                                 {"complete_by", "+3h"}});
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 303);
  EXPECT_EQ(added->get_header_value("Location"), "/devices/SEP001122334455");
  const store::Device d = Stored(kPhone);
  EXPECT_EQ(d.operation, store::Operation::kInstall);
  EXPECT_EQ(d.auth_string, "24681357");
  EXPECT_EQ(d.rsa_bits, 3072);
  EXPECT_EQ(d.complete_by, h_.clock().Now() + 3 * 3600);

  auto twice = Post("/devices", {{"name", kPhone}, {"operation", "none"}});
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 409);
  EXPECT_THAT(twice->body, HasSubstr("already exists"));
}

// A certificate with a key of `spec` ("rsa:2048", "ec:256"), as the store keeps an LSC.
store::StoredCertificate PageTestLsc(const char* spec, const std::string& name) {
  auto key = pki::KeySpec::Parse(spec);
  EXPECT_TRUE(key.ok()) << key.message();
  pki::CertificateProfile profile;
  profile.subject = {{"CN", name}};
  auto made = pki::SelfSigned(*key, profile);
  EXPECT_TRUE(made.ok()) << made.message();
  const pki::Certificate& c = made->certificate;
  return {c.ToPem(), "01", c.Subject(), c.Issuer(), c.not_before(), c.not_after()};
}

TEST_F(PagesTest, EncryptedConfigurationIsACheckboxThatWarnsWhenItCannotBeServed) {
  AddDevice({.name = kPhone});
  for (const char* path : {"/devices/SEP001122334455", "/devices/new"}) {
    auto page = Get(path);
    ASSERT_TRUE(page) << path;
    EXPECT_THAT(page->body, HasSubstr("<label for=\"encrypted_config\">Encrypted "
                                      "Configuration</label>"))
        << path;
    EXPECT_THAT(page->body, HasSubstr("<input type=\"hidden\" name=\"encrypted_config\" "
                                      "value=\"off\"><input type=\"checkbox\" "
                                      "id=\"encrypted_config\" name=\"encrypted_config\" "
                                      "value=\"on\" >"))
        << path << ": not ticked";
    EXPECT_THAT(page->body, Not(HasSubstr("encrypted-config-warning"))) << path;
  }

  // Ticked: the browser sends the hidden "off", then "on".
  auto ticked =
      Post("/devices/SEP001122334455", {{"encrypted_config", "off"}, {"encrypted_config", "on"}});
  ASSERT_TRUE(ticked);
  EXPECT_EQ(ticked->status, 303);
  EXPECT_TRUE(Stored(kPhone).encrypted_config);
  auto page = Get("/devices/SEP001122334455");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("Encrypted Configuration: off -&gt; on"));
  EXPECT_THAT(page->body, HasSubstr("value=\"on\" checked"));
  const std::string warning =
      testing::Between(page->body, "<tr class=\"warn\" id=\"encrypted-config-warning\">", '\n');
  EXPECT_THAT(warning, HasSubstr("Encrypted Configuration is on, but no LSC or MIC yet: its "
                                 "configuration is not served until CAPF has seen a certificate "
                                 "from the phone"));
  EXPECT_EQ((*h_.store().ListAudit(1))[0].detail, "Encrypted Configuration: off -> on");

  // An EC LSC cannot receive it; an RSA one can.
  store::Device ec = Stored(kPhone);
  ec.lsc_status = store::LscStatus::kInstalled;
  ec.lsc = PageTestLsc("ec:256", kPhone);
  ASSERT_TRUE(h_.store().Save(ec, std::nullopt).ok());
  page = Get("/devices/SEP001122334455");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body,
              HasSubstr("Encrypted Configuration is on, but its LSC is EC: an encrypted "
                        "configuration needs an RSA key; schedule Install/Upgrade with key order "
                        "RSA Only"));
  store::Device rsa = Stored(kPhone);
  rsa.lsc = PageTestLsc("rsa:2048", kPhone);
  ASSERT_TRUE(h_.store().Save(rsa, std::nullopt).ok());
  page = Get("/devices/SEP001122334455");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, Not(HasSubstr("encrypted-config-warning")));
  EXPECT_THAT(page->body, HasSubstr("value=\"on\" checked"));

  // Saving the page untouched keeps it; unticked, only the hidden "off" is sent.
  auto untouched =
      Post("/devices/SEP001122334455", {{"encrypted_config", "off"}, {"encrypted_config", "on"}});
  ASSERT_TRUE(untouched);
  EXPECT_EQ(Stored(kPhone).version, rsa.version + 1) << "nothing written";
  auto unticked = Post("/devices/SEP001122334455", {{"encrypted_config", "off"}});
  ASSERT_TRUE(unticked);
  EXPECT_EQ(unticked->status, 303);
  EXPECT_FALSE(Stored(kPhone).encrypted_config);

  // A hand-made post with a value that is no switch is refused in the page's words.
  auto bad = Post("/devices/SEP001122334455", {{"encrypted_config", "sometimes"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("Encrypted Configuration: Encrypted Configuration "
                                   "&#39;sometimes&#39; is not one of: on, off"));
  EXPECT_FALSE(Stored(kPhone).encrypted_config);

  // Adding a phone with the box ticked.
  auto added = Post("/devices", {{"name", kOther},
                                 {"operation", "none"},
                                 {"encrypted_config", "off"},
                                 {"encrypted_config", "on"}});
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 303);
  EXPECT_TRUE(Stored(kOther).encrypted_config);
}

TEST_F(PagesTest, ImportListsEveryProblemOrImportsEverything) {
  const std::string bad =
      "name,operation,auth,auth_string\n"
      "SEP0011223344B1,install,null-string,\n"
      "SEP0011223344B2,install,auth-string,12ab\n"
      "SEP0011223344B3,reinstall,,\n";
  auto refused =
      client_->Post("/import", Cookie(),
                    httplib::MultipartFormDataItems{
                        {"csrf", login_.csrf, "", ""}, {"csv", bad, "", ""}, {"file", "", "", ""}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_THAT(refused->body, HasSubstr("Nothing imported"));
  EXPECT_THAT(refused->body, HasSubstr("line 3:"));
  EXPECT_THAT(refused->body, HasSubstr("line 4:"));
  EXPECT_THAT(refused->body, HasSubstr("SEP0011223344B3,reinstall")) << "the text is kept";
  EXPECT_FALSE(*h_.store().Get("SEP0011223344B1")) << "nothing is imported";

  const std::string good =
      "name,operation,auth,auth_string\n"
      "SEP0011223344B1,install,null-string,\n"
      "SEP0011223344B2,,,\n";
  auto imported =
      client_->Post("/import", Cookie(),
                    httplib::MultipartFormDataItems{{"csrf", login_.csrf, "", ""},
                                                    {"csv", "", "", ""},
                                                    {"file", good, "phones.csv", "text/csv"}});
  ASSERT_TRUE(imported);
  EXPECT_EQ(imported->status, 303);
  EXPECT_EQ(imported->get_header_value("Location"), "/devices");
  EXPECT_TRUE(*h_.store().Get("SEP0011223344B1"));
  EXPECT_TRUE(*h_.store().Get("SEP0011223344B2"));
  auto list = Get("/devices");
  ASSERT_TRUE(list);
  EXPECT_THAT(list->body, HasSubstr("Imported 2 phones, 1 with an operation scheduled"));
}

TEST_F(PagesTest, HostileTextIsEscaped) {
  AddDevice({.name = kPhone});
  ASSERT_TRUE(h_.store()
                  .AppendEvent({.device = kPhone,
                                .peer = "192.0.2.1:5000",
                                .operation = "install",
                                .result = "refused",
                                .reason = "<script>alert('reason')</script>"})
                  .ok());
  ASSERT_TRUE(h_.store()
                  .AppendAudit({.actor = "cli",
                                .action = "device.update",
                                .target = "<img src=x onerror=alert(1)>",
                                .detail = "<script>alert(\"detail\")</script>"})
                  .ok());
  auto device = Get("/devices/SEP001122334455");
  ASSERT_TRUE(device);
  EXPECT_THAT(device->body, HasSubstr("&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt;"));
  EXPECT_THAT(device->body, Not(HasSubstr("<script>alert")));
  auto audit = Get("/audit");
  ASSERT_TRUE(audit);
  EXPECT_THAT(audit->body, HasSubstr("&lt;script&gt;alert(&quot;detail&quot;)&lt;/script&gt;"));
  EXPECT_THAT(audit->body, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(audit->body, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(audit->body, Not(HasSubstr("<img src=x")));

  auto search = Get("/devices?q=%22%3E%3Cscript%3Ex%3C/script%3E");
  ASSERT_TRUE(search);
  EXPECT_THAT(search->body, HasSubstr("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""));
  EXPECT_THAT(search->body, Not(HasSubstr("<script>x")));
}

TEST_F(PagesTest, TheListFiltersAsDeviceListDoes) {
  AddDevice(Installed(kPhone));
  store::Device failed{.name = kOther};
  failed.operation_status = std::string(store::kStatusUpgradeLate);
  AddDevice(failed);
  store::Device waiting{.name = "SEP0011223344CC"};
  waiting.operation = store::Operation::kInstall;
  waiting.auth = store::AuthMode::kAuthString;
  waiting.auth_string = "13572468";
  waiting.operation_status = std::string(store::kStatusPending);
  waiting.complete_by = h_.clock().Now() + 7200;
  AddDevice(waiting);

  auto shows = [&](const std::string& query, const std::vector<std::string>& names) {
    auto r = Get("/devices?" + query);
    ASSERT_TRUE(r) << query;
    EXPECT_EQ(r->status, 200) << query;
    for (const char* n : {kPhone, kOther, "SEP0011223344CC"}) {
      const bool wanted = std::find(names.begin(), names.end(), n) != names.end();
      EXPECT_EQ(r->body.find("data-device=\"" + std::string(n) + "\"") != std::string::npos, wanted)
          << query << ": " << n;
    }
  };
  shows("lsc_status=installed", {kPhone});
  shows("lsc_status=not-installed", {kOther, "SEP0011223344CC"});
  shows("operation_status=Upgrade Failed", {kOther});
  shows("operation_status=Operation Pending", {"SEP0011223344CC"});
  shows("auth_string=13572468", {"SEP0011223344CC"});
  shows("q=44aa", {kOther});
  shows("", {kPhone, kOther, "SEP0011223344CC"});

  auto bad = Get("/devices?lsc_status=done");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("LSC Status: "));
}

TEST_F(PagesTest, TheReportAndItsCsvGiveTheSameRows) {
  AddDevice(Installed(kPhone));
  AddDevice({.name = kOther});
  auto page = Get("/report?lsc_status=installed");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("data-device=\"SEP001122334455\""));
  EXPECT_THAT(page->body, Not(HasSubstr("data-device=\"SEP0011223344AA\"")));
  EXPECT_THAT(page->body, HasSubstr("1 devices: 1 Installed, 0 Not Installed"));
  EXPECT_THAT(page->body, HasSubstr("href=\"/report.csv?lsc_status=installed\""));

  auto csv = Get("/report.csv?lsc_status=installed");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_THAT(csv->get_header_value("Content-Type"), StartsWith("text/csv"));
  EXPECT_EQ(csv->get_header_value("Content-Disposition"),
            "attachment; filename=\"capf-report.csv\"");
  EXPECT_THAT(csv->body, StartsWith("name,lsc_status,operation,operation_status"));
  EXPECT_THAT(csv->body, HasSubstr("SEP001122334455,Installed,none,Upgrade Success,5A0F01"));
  EXPECT_THAT(csv->body, Not(HasSubstr(kOther)));

  auto expiring = Get("/report.csv?expiring_within=30d");
  ASSERT_TRUE(expiring);
  EXPECT_THAT(expiring->body, Not(HasSubstr(kPhone))) << "its LSC has 400 days left";

  auto bad = Get("/report?expiring_within=soon");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("use e.g. 90d, 12w, 36h or 3600s"));
}

TEST_F(PagesTest, DeletingAsksForConfirmation) {
  AddDevice({.name = kPhone});
  auto unconfirmed = Post("/devices/SEP001122334455/delete", {});
  ASSERT_TRUE(unconfirmed);
  EXPECT_EQ(unconfirmed->status, 400);
  EXPECT_THAT(unconfirmed->body, HasSubstr("to confirm; nothing was deleted"));
  EXPECT_TRUE(*h_.store().Get(kPhone));

  auto deleted = Post("/devices/SEP001122334455/delete", {{"confirm", "yes"}});
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 303);
  EXPECT_EQ(deleted->get_header_value("Location"), "/devices");
  EXPECT_FALSE(*h_.store().Get(kPhone));
  auto list = Get("/devices");
  ASSERT_TRUE(list);
  EXPECT_THAT(list->body, HasSubstr("Deleted SEP001122334455"));

  auto gone = Get("/devices/SEP001122334455");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  EXPECT_THAT(gone->body, HasSubstr("There is no phone SEP001122334455"));
}

TEST_F(PagesTest, CertificatesDownloadOnlyTheCertificate) {
  auto pem = Get("/certificates/capf.pem");
  ASSERT_TRUE(pem);
  EXPECT_EQ(pem->status, 200);
  EXPECT_THAT(pem->body, StartsWith("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(pem->body, Not(HasSubstr("PRIVATE KEY")));
  EXPECT_EQ(pem->get_header_value("Content-Disposition"), "attachment; filename=\"capf.pem\"");
  auto unknown = Get("/certificates/nosuch.pem");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto itl = Get("/itl/ITLFile.tlv");
  ASSERT_TRUE(itl);
  EXPECT_EQ(itl->status, 404) << "the harness serves no ITL";
}

// ----- Changes made by others while a page is being saved -------------------------------------

// A store that lets a test act between the page's reads and writes, as the CAPF server or
// another administrator would: before a given read of a device, or before every save.
class MeddlingStore : public store::Store {
 public:
  explicit MeddlingStore(std::unique_ptr<store::Store> inner) : inner_(std::move(inner)) {}

  store::Store& inner() { return *inner_; }
  /// Called with the number of the read (1, 2, ...) before each Get.
  std::function<void(int)> before_get;
  /// Called before each Save.
  std::function<void()> before_save;
  std::atomic<int> gets{0};

  Result<std::optional<store::Device>> Get(std::string_view name) override {
    const int n = ++gets;
    if (before_get) before_get(n);
    return inner_->Get(name);
  }
  Status Save(const store::Device& device, const std::optional<store::Event>& event) override {
    if (before_save) before_save();
    return inner_->Save(device, event);
  }
  Status Add(const store::Device& device) override { return inner_->Add(device); }
  Status Remove(std::string_view name) override { return inner_->Remove(name); }
  Result<std::vector<store::Device>> List(const store::DeviceFilter& filter) override {
    return inner_->List(filter);
  }
  Status AddAll(const std::vector<store::Device>& devices) override {
    return inner_->AddAll(devices);
  }
  Status AppendEvent(const store::Event& event) override { return inner_->AppendEvent(event); }
  Result<std::vector<store::Event>> History(std::string_view device, std::size_t limit) override {
    return inner_->History(device, limit);
  }
  Result<store::TrustChange> PutTrusted(const store::TrustedCertificate& entry) override {
    return inner_->PutTrusted(entry);
  }
  Result<store::TrustChange> ReplaceServiceTrusted(
      const std::vector<store::TrustedCertificate>& entries) override {
    return inner_->ReplaceServiceTrusted(entries);
  }
  Result<std::vector<store::TrustedCertificate>> ListTrusted() override {
    return inner_->ListTrusted();
  }
  Result<std::optional<store::TrustedCertificate>> FindTrusted(std::string_view sha256) override {
    return inner_->FindTrusted(sha256);
  }
  Result<store::TrustedCertificate> RemoveTrusted(std::string_view sha256) override {
    return inner_->RemoveTrusted(sha256);
  }
  Result<std::int64_t> TrustGeneration() override { return inner_->TrustGeneration(); }
  Result<std::vector<store::Revocation>> RevokeDeviceCertificates(
      std::string_view name, store::RevocationReason reason,
      const std::optional<store::Event>& event) override {
    return inner_->RevokeDeviceCertificates(name, reason, event);
  }
  Result<std::optional<store::Revocation>> RevokeCertificate(
      const store::Revocation& revocation, const std::optional<store::Event>& event) override {
    return inner_->RevokeCertificate(revocation, event);
  }
  Result<std::vector<store::Revocation>> ListRevocations() override {
    return inner_->ListRevocations();
  }
  Result<std::optional<store::Revocation>> FindRevocation(std::string_view issuer,
                                                          std::string_view serial_hex) override {
    return inner_->FindRevocation(issuer, serial_hex);
  }
  Result<std::int64_t> RevocationGeneration() override { return inner_->RevocationGeneration(); }
  Status SetAdminPassword(std::string_view hash) override { return inner_->SetAdminPassword(hash); }
  Result<std::optional<std::string>> AdminPasswordHash() override {
    return inner_->AdminPasswordHash();
  }
  Status AddApiToken(const store::ApiToken& token) override { return inner_->AddApiToken(token); }
  Result<std::vector<store::ApiToken>> ListApiTokens() override { return inner_->ListApiTokens(); }
  Status RemoveApiToken(std::string_view name) override { return inner_->RemoveApiToken(name); }
  Status TouchApiToken(std::string_view name, std::time_t at) override {
    return inner_->TouchApiToken(name, at);
  }
  Status AppendAudit(const store::AuditEntry& entry) override { return inner_->AppendAudit(entry); }
  Result<std::vector<store::AuditEntry>> ListAudit(std::size_t limit) override {
    return inner_->ListAudit(limit);
  }

 private:
  std::unique_ptr<store::Store> inner_;
};

// The pages over plain HTTP on 127.0.0.1 with a MeddlingStore, and a login session made
// directly (the login itself is tested above).
class RacePagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("opencapf-race-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto inner = store::OpenSqliteStore(dir_ / "store.db", clock_);
    ASSERT_TRUE(inner.ok()) << inner.message();
    store_ = std::make_unique<MeddlingStore>(std::move(*inner));
    ctx_ = std::unique_ptr<AdminContext>(new AdminContext{
        service::DataDir(dir_), {}, *store_, clock_, metrics_, nullptr, nullptr, nullptr});
    auto version = AdminPasswordVersion(*store_);
    ASSERT_TRUE(version.ok()) << version.message();
    session_ = ctx_->sessions.Create(kAdminUser, *version, clock_.Now());
    RegisterPages(server_, *ctx_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) ::usleep(5000);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }

  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
    client_.reset();
    ctx_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  httplib::Result Post(const std::string& path, httplib::Params params) {
    params.emplace("csrf", session_.csrf);
    return client_->Post(path.c_str(),
                         {{"Cookie", std::string(kSessionCookie) + "=" + session_.id}}, params);
  }

  std::optional<store::Device> Stored(const std::string& name) {
    auto got = store_->inner().Get(name);
    EXPECT_TRUE(got.ok());
    return got.ok() ? *got : std::nullopt;
  }

  /// Adds the device and returns its form as the page shows it (with the version).
  httplib::Params Opened(const std::string& name) {
    EXPECT_TRUE(store_->inner().Add({.name = name}).ok());
    return {{"operation", "none"}, {"auth", "null-string"},
            {"auth_string", ""},   {"key_order", "ec"},
            {"rsa_bits", "2048"},  {"ec_curve", "256"},
            {"complete_by", ""},   {"version", std::to_string(Stored(name)->version)}};
  }

  std::filesystem::path dir_;
  FakeClock clock_{std::time(nullptr)};
  Metrics metrics_;
  std::unique_ptr<MeddlingStore> store_;
  std::unique_ptr<AdminContext> ctx_;
  LoginSessions::Session session_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(RacePagesTest, ASaveRacedByTheServerIsAConflictShowingTheDeviceAsItIsNow) {
  httplib::Params form = Opened(kPhone);
  // The CAPF server writes the device before every save the page tries.
  store_->before_save = [this] {
    auto d = Stored(kPhone);
    ASSERT_TRUE(d);
    d->operation_status = std::string(store::kStatusUpgradeSuccess);
    ASSERT_TRUE(store_->inner().Save(*d, std::nullopt).ok());
  };
  auto r = Post("/devices/SEP001122334455", form);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << "a conflict, not a bad form";
  EXPECT_THAT(r->body, HasSubstr("SEP001122334455 changed since you opened this page"));
  EXPECT_THAT(r->body, HasSubstr("nothing was saved"));
  EXPECT_THAT(r->body, HasSubstr("Upgrade Success")) << "the device as it is now";
  EXPECT_EQ(Stored(kPhone)->key_order, store::KeyOrder::kRsa);
}

TEST_F(RacePagesTest, ADeviceDeletedWhileSavedOrDeletedIsNotFound) {
  // Removed after the page read it, before the save reads it.
  httplib::Params form = Opened(kPhone);
  const int before = store_->gets;
  store_->before_get = [this, before](int n) {
    if (n == before + 2) {
      ASSERT_TRUE(store_->inner().Remove(kPhone).ok());
    }
  };
  auto saved = Post("/devices/SEP001122334455", form);
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->status, 404);
  EXPECT_THAT(saved->body, HasSubstr("SEP001122334455 was deleted while its page was open"));
  EXPECT_FALSE(Stored(kPhone));

  Opened(kOther);
  const int now = store_->gets;
  store_->before_get = [this, now](int n) {
    if (n == now + 2) {
      ASSERT_TRUE(store_->inner().Remove(kOther).ok());
    }
  };
  auto deleted = Post("/devices/SEP0011223344AA/delete", {{"confirm", "yes"}});
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 404);
  EXPECT_THAT(deleted->body, HasSubstr("SEP0011223344AA was already deleted"));
}

}  // namespace
}  // namespace opencapf::admin
