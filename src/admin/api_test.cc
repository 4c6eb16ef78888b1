// The REST API over real HTTPS on 127.0.0.1: authentication on every endpoint, CSRF for
// sessions, strict input with messages that say what to send, and results equal to the CLI's
// (devices, the report, certificates, the ITL).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/admin_test_harness.h"
#include "base/file.h"
#include "pki/issuer.h"
#include "pki/private_key.h"
#include "report/report.h"
#include "service/certificates.h"
#include "service/data_dir.h"
#include "store/time_text.h"
#include "tlv/show.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace opencapf::admin {
namespace {

using testing::AdminHarness;
using ::testing::ElementsAre;
using testing::HarnessOptions;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using json = nlohmann::json;

struct Reply {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  json json_body;  ///< discarded when the body is not JSON

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  std::string error() const {
    return json_body.is_object() && json_body.contains("error") && json_body["error"].is_string()
               ? json_body["error"].get<std::string>()
               : "";
  }
  std::string field() const {
    return json_body.is_object() && json_body.contains("field")
               ? json_body["field"].get<std::string>()
               : "";
  }
};

std::ostream& operator<<(std::ostream& os, const Reply& r) {
  return os << r.status << " " << r.body;
}

// A client with fixed headers (a bearer token, or a session cookie and its CSRF token).
class Api {
 public:
  Api(const AdminHarness& h, httplib::Headers headers)
      : client_(h.Client()), headers_(std::move(headers)) {}

  Reply Get(const std::string& path) { return Send("GET", path); }
  Reply Post(const std::string& path, const std::string& body,
             const std::string& type = "application/json") {
    return Send("POST", path, body, type);
  }
  Reply Patch(const std::string& path, const std::string& body) {
    return Send("PATCH", path, body);
  }
  Reply Delete(const std::string& path) { return Send("DELETE", path); }

  Reply Send(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& type = "application/json") {
    httplib::Result r = [&] {
      const char* p = path.c_str();
      if (method == "GET") return client_->Get(p, headers_);
      if (method == "POST") return client_->Post(p, headers_, body, type.c_str());
      if (method == "PATCH") return client_->Patch(p, headers_, body, type.c_str());
      return client_->Delete(p, headers_);
    }();
    Reply reply;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer (httplib error "
                    << static_cast<int>(r.error()) << ")";
      return reply;
    }
    reply.status = r->status;
    reply.body = r->body;
    reply.headers = r->headers;
    reply.json_body = json::parse(r->body, nullptr, false);
    return reply;
  }

 private:
  std::unique_ptr<httplib::SSLClient> client_;
  httplib::Headers headers_;
};

Api WithToken(AdminHarness& h, const std::string& name) {
  return Api(h, AdminHarness::Bearer(h.Token(name)));
}

std::vector<std::string> Names(const json& devices) {
  std::vector<std::string> out;
  for (const auto& d : devices) out.push_back(d["name"].get<std::string>());
  return out;
}

std::vector<std::string> StoredNames(store::Store& store) {
  auto list = store.List({});
  EXPECT_TRUE(list.ok());
  std::vector<std::string> out;
  if (list.ok()) {
    for (const auto& d : *list) out.push_back(d.name);
  }
  return out;
}

// Every file under certs/ and its bytes: "nothing changed" means this is equal.
std::map<std::string, Bytes> CertFiles(const AdminHarness& h) {
  std::map<std::string, Bytes> out;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(service::DataDir(h.data()).certs())) {
    if (e.is_regular_file()) out[e.path().string()] = *ReadFile(e.path());
  }
  return out;
}

bool HasAudit(const json& entries, const std::string& action, const std::string& actor,
              const std::string& target) {
  return std::any_of(entries.begin(), entries.end(), [&](const json& e) {
    return e["action"] == action && e["actor"] == actor && e["target"] == target &&
           e["peer"] == "127.0.0.1";
  });
}

// ----- authentication -------------------------------------------------------------------------

struct Endpoint {
  std::string method;
  std::string path;
  std::string body;
  std::string type;
  int with_token;  ///< the status with a valid token (in this order, on a fresh server)
};

std::vector<Endpoint> Endpoints() {
  const std::string json_type = "application/json";
  return {
      {"GET", "/api/v1/session", "", json_type, 200},
      {"GET", "/api/v1/devices", "", json_type, 200},
      {"POST", "/api/v1/devices", R"({"name": "SEP001122334455"})", json_type, 201},
      {"GET", "/api/v1/devices/SEP001122334455", "", json_type, 200},
      {"PATCH", "/api/v1/devices/SEP001122334455", R"({"key_order": "ec"})", json_type, 200},
      {"POST", "/api/v1/devices/SEP001122334455/schedule", R"({"operation": "install"})", json_type,
       200},
      {"DELETE", "/api/v1/devices/SEP001122334455", "", json_type, 200},
      {"POST", "/api/v1/devices/import", "name,operation\nSEP0011223344AA,install\n", "text/csv",
       201},
      {"GET", "/api/v1/report", "", json_type, 200},
      {"GET", "/api/v1/certificates", "", json_type, 200},
      {"GET", "/api/v1/certificates/capf", "", json_type, 200},
      // Authenticated, then refused for want of "confirm": true.
      {"POST", "/api/v1/certificates/tvs/regenerate", "{}", json_type, 400},
      {"POST", "/api/v1/certificates/tvs/csr", "{}", json_type, 200},
      {"POST", "/api/v1/certificates/tvs/import", R"({"certificate": "not a PEM"})", json_type,
       400},
      {"GET", "/api/v1/itl", "", json_type, 200},
      {"GET", "/api/v1/itl/show", "", json_type, 200},
      {"GET", "/api/v1/audit", "", json_type, 200},
  };
}

TEST(ApiTest, EveryEndpointNeedsAValidTokenOrSession) {
  AdminHarness h(HarnessOptions{.serve_itl = true});
  Api anonymous(h, {});
  Api wrong(h, AdminHarness::Bearer("ocf_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  Api api = WithToken(h, "ci");
  const auto before = StoredNames(h.store());
  for (const auto& e : Endpoints()) {
    SCOPED_TRACE(e.method + " " + e.path);
    const Reply none = anonymous.Send(e.method, e.path, e.body, e.type);
    EXPECT_EQ(none.status, 401) << none;
    EXPECT_THAT(none.error(), HasSubstr("Authorization: Bearer"));
    EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer realm=\"opencapf\"");
    const Reply bad = wrong.Send(e.method, e.path, e.body, e.type);
    EXPECT_EQ(bad.status, 401) << bad;
    EXPECT_THAT(bad.error(), HasSubstr("not valid"));
  }
  EXPECT_EQ(StoredNames(h.store()), before) << "refused requests change nothing";
  for (const auto& e : Endpoints()) {
    SCOPED_TRACE(e.method + " " + e.path);
    const Reply ok = api.Send(e.method, e.path, e.body, e.type);
    EXPECT_EQ(ok.status, e.with_token) << ok;
  }
}

TEST(ApiTest, SessionChangesNeedTheCsrfHeader) {
  AdminHarness h;
  const auto login = h.LogIn();
  ASSERT_FALSE(login.csrf.empty());
  Api cookie_only(h, {{"Cookie", login.cookie}});
  Api with_csrf(h, {{"Cookie", login.cookie}, {"X-CSRF-Token", login.csrf}});
  Api wrong_csrf(h, {{"Cookie", login.cookie}, {"X-CSRF-Token", "not-the-token"}});

  EXPECT_EQ(cookie_only.Get("/api/v1/devices").status, 200) << "reading needs no CSRF token";
  const std::string device = R"({"name": "SEP001122334455"})";
  Reply refused = cookie_only.Post("/api/v1/devices", device);
  EXPECT_EQ(refused.status, 403) << refused;
  EXPECT_THAT(refused.error(), HasSubstr("X-CSRF-Token"));
  EXPECT_EQ(wrong_csrf.Post("/api/v1/devices", device).status, 403);
  EXPECT_THAT(StoredNames(h.store()), IsEmpty());

  EXPECT_EQ(with_csrf.Post("/api/v1/devices", device).status, 201);
  EXPECT_EQ(cookie_only.Patch("/api/v1/devices/SEP001122334455", R"({"rsa_bits": 4096})").status,
            403);
  EXPECT_EQ(
      cookie_only.Post("/api/v1/devices/SEP001122334455/schedule", R"({"operation": "install"})")
          .status,
      403);
  EXPECT_EQ(cookie_only.Delete("/api/v1/devices/SEP001122334455").status, 403);
  EXPECT_EQ(with_csrf.Patch("/api/v1/devices/SEP001122334455", R"({"rsa_bits": 4096})").status,
            200);
  EXPECT_EQ(with_csrf.Delete("/api/v1/devices/SEP001122334455").status, 200);

  auto audit = with_csrf.Get("/api/v1/audit");
  EXPECT_TRUE(HasAudit(audit.json_body["entries"], "device.create", "admin", "SEP001122334455"))
      << audit;
}

// ----- bad input ------------------------------------------------------------------------------

TEST(ApiTest, BadRequestsSayWhatWasWrong) {
  AdminHarness h;
  Api api = WithToken(h, "ci");
  struct Case {
    std::string method, path, body;
    std::string says;   ///< a substring of the error
    std::string field;  ///< the field named, when one is
  };
  const std::vector<Case> cases = {
      {"POST", "/api/v1/devices", "{\"name\": ", "not valid JSON", ""},
      {"POST", "/api/v1/devices", R"(["SEP001122334455"])", "must be a JSON object", ""},
      {"POST", "/api/v1/devices", R"({"name": "SEP001122334455", "colour": "red"})",
       "unknown field 'colour'", ""},
      {"POST", "/api/v1/devices", R"({"operation": "install"})", "name is required", "name"},
      {"POST", "/api/v1/devices", R"({"name": 42})", "name must be a string", "name"},
      {"POST", "/api/v1/devices", R"({"name": "SEPXYZ"})", "SEP must be followed by exactly 12",
       "name"},
      {"POST", "/api/v1/devices",
       R"({"name": "SEP001122334455", "operation": "install", "auth": "auth-string",
           "auth_string": "12ab"})",
       "auth_string '12ab' must be 4-10 digits", ""},
      {"POST", "/api/v1/devices",
       R"({"name": "SEP001122334455", "operation": "install", "auth": "auth-string",
           "auth_string": "123"})",
       "auth_string '123' must be 4-10 digits", ""},
      {"POST", "/api/v1/devices", R"({"name": "SEP001122334455", "auth_string": 12345678})",
       "leading zeros", "auth_string"},
      {"POST", "/api/v1/devices", R"({"name": "SEP001122334455", "operation": "upgrade"})",
       "'upgrade' is not one of: none, install", "operation"},
      {"POST", "/api/v1/devices", R"({"name": "SEP001122334455", "rsa_bits": "big"})",
       "'big' is not a number", "rsa_bits"},
      {"POST", "/api/v1/devices", R"({"name": "SEP001122334455", "rsa_bits": 2048.5})",
       "rsa_bits must be a whole number", "rsa_bits"},
      {"POST", "/api/v1/devices", R"({"name": "SEP001122334455", "ec_curve": 255})",
       "256, 384 or 521", ""},
      {"POST", "/api/v1/devices", R"({"name": "SEP001122334455", "complete_by": "tomorrow"})",
       "complete_by", "complete_by"},
      {"GET", "/api/v1/devices/SEPXYZ", "", "SEP must be followed by exactly 12", "name"},
      {"GET", "/api/v1/devices?lsc_status=done", "", "'done' is not one of: installed",
       "lsc_status"},
      {"GET", "/api/v1/devices?status=installed", "", "unknown query parameter 'status'", "status"},
      {"GET", "/api/v1/audit?limit=lots", "", "limit 'lots' must be a number", "limit"},
      {"GET", "/api/v1/report?format=xml", "", "format 'xml' is not one of: json, csv, table",
       "format"},
      {"GET", "/api/v1/report?expiring_within=soon", "", "expiring_within", "expiring_within"},
      {"GET", "/api/v1/report?lsc_status=maybe", "", "'maybe' is not one of", "lsc_status"},
      {"POST", "/api/v1/devices/import", R"({"name": "SEP001122334455"})", "text/csv", ""},
      {"POST", "/api/v1/certificates/capf/csr", R"({"key": "rsa:2048"})", "\"new_key\": true",
       "key"},
      {"POST", "/api/v1/certificates/capf/csr", R"({"new_key": "yes"})", "true or false",
       "new_key"},
      {"POST", "/api/v1/certificates/capf/csr", R"({"subject": "nonsense"})",
       "is not ATTRIBUTE=value", "subject"},
      {"POST", "/api/v1/certificates/capf/regenerate", R"({"confirm": true, "key": "dsa:1024"})",
       "key 'dsa:1024'", "key"},
      {"POST", "/api/v1/certificates/capf/regenerate", R"({"confirm": true, "days": -3})",
       "days must be a whole number of days", "days"},
      {"POST", "/api/v1/certificates/capf/import", R"({"chain": "x"})", "certificate is required",
       "certificate"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path + " " + c.body);
    const Reply r = api.Send(c.method, c.path, c.body);
    EXPECT_EQ(r.status, 400) << r;
    EXPECT_THAT(r.error(), HasSubstr(c.says)) << r;
    if (!c.field.empty()) {
      EXPECT_EQ(r.field(), c.field) << r;
    }
    EXPECT_EQ(r.header("Content-Type"), "application/json");
  }
  EXPECT_THAT(StoredNames(h.store()), IsEmpty()) << "nothing was added by a refused request";

  // Missing things are 404s that say what to do.
  const Reply missing = api.Get("/api/v1/devices/SEP00112233FFFF");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.error(), HasSubstr("there is no device SEP00112233FFFF; add it"));
  EXPECT_EQ(api.Patch("/api/v1/devices/SEP00112233FFFF", R"({"rsa_bits": 4096})").status, 404);
  EXPECT_EQ(api.Delete("/api/v1/devices/SEP00112233FFFF").status, 404);
  EXPECT_EQ(
      api.Post("/api/v1/devices/SEP00112233FFFF/schedule", R"({"operation": "install"})").status,
      404);
  const Reply cert = api.Get("/api/v1/certificates/web");
  EXPECT_EQ(cert.status, 404);
  EXPECT_THAT(cert.error(), HasSubstr("the names are capf, callmanager"));
  const Reply no_itl = api.Get("/api/v1/itl");
  EXPECT_EQ(no_itl.status, 404);
  EXPECT_THAT(no_itl.error(), HasSubstr("no ITL is served by this server"));
  EXPECT_EQ(api.Get("/api/v1/itl/show").status, 404);
  const Reply unknown = api.Get("/api/v1/phones");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.error(), HasSubstr("openapi.yaml"));
}

// ----- devices --------------------------------------------------------------------------------

TEST(ApiTest, DeviceLifecycleAndFilters) {
  AdminHarness h;
  Api api = WithToken(h, "lifecycle");

  Reply added = api.Post("/api/v1/devices", R"({"name": "sep001122334455", "operation": "install",
      "auth": "auth-string", "auth_string": "12345678", "rsa_bits": 3072})");
  ASSERT_EQ(added.status, 201) << added;
  EXPECT_EQ(added.header("Location"), "/api/v1/devices/SEP001122334455");
  const json& d = added.json_body["device"];
  EXPECT_EQ(d["name"], "SEP001122334455") << "names are stored upper case";
  EXPECT_EQ(d["operation"], "install");
  EXPECT_EQ(d["auth_string"], "12345678");
  EXPECT_EQ(d["rsa_bits"], 3072);
  EXPECT_EQ(d["operation_status"], "Operation Pending");
  EXPECT_EQ(d["lsc_status"], "not-installed");
  ASSERT_EQ(added.json_body["notes"].size(), 1u);
  EXPECT_THAT(added.json_body["notes"][0].get<std::string>(), HasSubstr("one hour from now"));

  const Reply twice = api.Post("/api/v1/devices", R"({"name": "SEP001122334455"})");
  EXPECT_EQ(twice.status, 409) << twice;
  EXPECT_THAT(twice.error(), HasSubstr("PATCH /api/v1/devices/SEP001122334455"));

  ASSERT_EQ(api.Post("/api/v1/devices", R"({"name": "CSFJSMITH", "key_order": "ec",
      "ec_curve": "384", "auth": null})")
                .status,
            201);

  Reply shown = api.Get("/api/v1/devices/sep001122334455");
  ASSERT_EQ(shown.status, 200) << shown;
  EXPECT_EQ(shown.json_body["device"]["name"], "SEP001122334455");
  EXPECT_TRUE(shown.json_body["history"].is_array());
  ASSERT_TRUE(h.store()
                  .AppendEvent({.device = "SEP001122334455",
                                .peer = "192.0.2.10:51234",
                                .operation = "install",
                                .result = "refused",
                                .reason = "deadline passed"})
                  .ok());
  shown = api.Get("/api/v1/devices/SEP001122334455");
  ASSERT_EQ(shown.json_body["history"].size(), 1u);
  EXPECT_EQ(shown.json_body["history"][0]["reason"], "deadline passed");

  Reply patched =
      api.Patch("/api/v1/devices/SEP001122334455",
                R"({"name": "SEP001122334455", "key_order": "ec-preferred-rsa-backup"})");
  ASSERT_EQ(patched.status, 200) << patched;
  EXPECT_EQ(patched.json_body["device"]["key_order"], "ec-preferred-rsa-backup");
  EXPECT_THAT(patched.json_body["changes"],
              ElementsAre("Key Order: RSA Only -> EC Preferred, RSA Backup"));
  const Reply renamed =
      api.Patch("/api/v1/devices/SEP001122334455", R"({"name": "SEP001122334466"})");
  EXPECT_EQ(renamed.status, 400);
  EXPECT_THAT(renamed.error(), HasSubstr("cannot be changed"));
  const Reply nothing = api.Patch("/api/v1/devices/SEP001122334455", "{}");
  EXPECT_EQ(nothing.status, 400);
  EXPECT_THAT(nothing.error(), HasSubstr("nothing to change"));

  const Reply unscheduled = api.Post("/api/v1/devices/CSFJSMITH/schedule", R"({"rsa_bits": 2048})");
  EXPECT_EQ(unscheduled.status, 400);
  EXPECT_EQ(unscheduled.field(), "operation");
  EXPECT_THAT(unscheduled.error(), HasSubstr("operation is required"));
  Reply scheduled = api.Post("/api/v1/devices/CSFJSMITH/schedule",
                             R"({"operation": "troubleshoot", "complete_by": "+2h"})");
  ASSERT_EQ(scheduled.status, 200) << scheduled;
  EXPECT_EQ(scheduled.json_body["device"]["operation_status"], "Operation Pending");
  EXPECT_EQ(scheduled.json_body["device"]["complete_by"],
            store::FormatTime(h.clock().Now() + 7200));
  EXPECT_THAT(scheduled.json_body["notes"], IsEmpty());

  auto list = [&](const std::string& query) {
    const Reply r = api.Get("/api/v1/devices" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r;
    EXPECT_EQ(r.json_body["count"], r.json_body["devices"].size());
    return Names(r.json_body["devices"]);
  };
  EXPECT_THAT(list(""), ElementsAre("CSFJSMITH", "SEP001122334455"));
  EXPECT_THAT(list("?lsc_status=not-installed"), ElementsAre("CSFJSMITH", "SEP001122334455"));
  EXPECT_THAT(list("?lsc_status=Not%20Installed"), ElementsAre("CSFJSMITH", "SEP001122334455"));
  EXPECT_THAT(list("?lsc_status=installed"), IsEmpty());
  EXPECT_THAT(list("?operation_status=operation%20pending"),
              ElementsAre("CSFJSMITH", "SEP001122334455"));
  EXPECT_THAT(list("?operation_status=Upgrade%20Failed"), IsEmpty());
  EXPECT_THAT(list("?auth_string=12345678"), ElementsAre("SEP001122334455"));
  EXPECT_THAT(list("?q=jsm"), ElementsAre("CSFJSMITH"));
  EXPECT_THAT(list("?q=4455&lsc_status=pending"), IsEmpty());
  const Reply listed = api.Get("/api/v1/devices");
  EXPECT_FALSE(listed.json_body["devices"][0]["lsc"].is_object()) << "no certificates yet";

  Reply removed = api.Delete("/api/v1/devices/sep001122334455");
  ASSERT_EQ(removed.status, 200) << removed;
  EXPECT_EQ(removed.json_body["deleted"], "SEP001122334455");
  EXPECT_EQ(api.Get("/api/v1/devices/SEP001122334455").status, 404);
  EXPECT_THAT(list(""), ElementsAre("CSFJSMITH"));

  // Every change is in the audit log, with who made it.
  const Reply audit = api.Get("/api/v1/audit?limit=20");
  ASSERT_EQ(audit.status, 200) << audit;
  const json& entries = audit.json_body["entries"];
  EXPECT_TRUE(HasAudit(entries, "device.create", "token lifecycle", "SEP001122334455"));
  EXPECT_TRUE(HasAudit(entries, "device.update", "token lifecycle", "SEP001122334455"));
  EXPECT_TRUE(HasAudit(entries, "device.schedule", "token lifecycle", "CSFJSMITH"));
  EXPECT_TRUE(HasAudit(entries, "device.delete", "token lifecycle", "SEP001122334455"));
  EXPECT_EQ(entries[0]["action"], "device.delete") << "newest first";
  EXPECT_THAT(entries[0]["at"].get<std::string>(), HasSubstr("T"));
  EXPECT_EQ(api.Get("/api/v1/audit?limit=1").json_body["entries"].size(), 1u);
}

TEST(ApiTest, EncryptedConfigRoundTripsAndSaysWhyItCannotBeServed) {
  AdminHarness h;
  Api api = WithToken(h, "encryption");

  Reply added =
      api.Post("/api/v1/devices", R"({"name": "SEP001122334455", "encrypted_config": true})");
  ASSERT_EQ(added.status, 201) << added;
  EXPECT_EQ(added.json_body["device"]["encrypted_config"], true);
  EXPECT_THAT(added.json_body["notes"],
              ElementsAre("encrypted_config is on, but no LSC or MIC yet: its configuration is "
                          "not served until CAPF has seen a certificate from the phone"));
  EXPECT_EQ(api.Get("/api/v1/devices/SEP001122334455").json_body["device"]["encrypted_config"],
            true);
  EXPECT_EQ(api.Get("/api/v1/devices").json_body["devices"][0]["encrypted_config"], true);
  ASSERT_EQ(api.Post("/api/v1/devices", R"({"name": "SEP0011223344AA"})").status, 201);
  EXPECT_EQ(api.Get("/api/v1/devices/SEP0011223344AA").json_body["device"]["encrypted_config"],
            false)
      << "off unless asked for";

  Reply off = api.Patch("/api/v1/devices/SEP001122334455", R"({"encrypted_config": "off"})");
  ASSERT_EQ(off.status, 200) << off;
  EXPECT_EQ(off.json_body["device"]["encrypted_config"], false);
  EXPECT_THAT(off.json_body["changes"], ElementsAre("Encrypted Configuration: on -> off"));
  EXPECT_THAT(off.json_body["notes"], IsEmpty());
  EXPECT_FALSE((**h.store().Get("SEP001122334455")).encrypted_config);

  // With an EC LSC the note says what to do; key order EC with it is noted too.
  auto key = pki::KeySpec::Parse("ec:256");
  ASSERT_TRUE(key.ok());
  pki::CertificateProfile profile;
  profile.subject = {{"CN", "SEP001122334455"}};
  auto lsc = pki::SelfSigned(*key, profile);
  ASSERT_TRUE(lsc.ok()) << lsc.message();
  store::Device d = **h.store().Get("SEP001122334455");
  d.lsc_status = store::LscStatus::kInstalled;
  d.lsc = store::StoredCertificate{.pem = lsc->certificate.ToPem(), .serial_hex = "01"};
  ASSERT_TRUE(h.store().Save(d, std::nullopt).ok());
  Reply on = api.Patch("/api/v1/devices/SEP001122334455",
                       R"({"encrypted_config": true, "key_order": "ec"})");
  ASSERT_EQ(on.status, 200) << on;
  EXPECT_EQ(on.json_body["device"]["encrypted_config"], true);
  EXPECT_THAT(on.json_body["notes"],
              ElementsAre(HasSubstr("encrypted_config needs an RSA key, and Key Order EC Only"),
                          "encrypted_config is on, but its LSC is EC: an encrypted configuration "
                          "needs an RSA key; schedule Install/Upgrade with key order RSA Only"));

  for (const auto& [body, says] : std::vector<std::pair<std::string, std::string>>{
           {R"({"encrypted_config": 1})", "encrypted_config must be true or false"},
           {R"({"encrypted_config": "sometimes"})",
            "encrypted_config 'sometimes' is not one of: on, off"}}) {
    SCOPED_TRACE(body);
    const Reply bad = api.Patch("/api/v1/devices/SEP001122334455", body);
    EXPECT_EQ(bad.status, 400) << bad;
    EXPECT_EQ(bad.field(), "encrypted_config") << bad;
    EXPECT_THAT(bad.error(), HasSubstr(says)) << bad;
  }
  EXPECT_TRUE((**h.store().Get("SEP001122334455")).encrypted_config) << "nothing changed";
}

TEST(ApiTest, TheApiAndThePageFindTheSamePhones) {
  AdminHarness h;
  Api api = WithToken(h, "search");
  const auto login = h.LogIn();
  auto page_client = h.Client();
  const std::time_t now = h.clock().Now();
  store::Device installed{.name = "SEP001122334455",
                          .operation_status = "Upgrade Success",
                          .lsc_status = store::LscStatus::kInstalled,
                          .lsc = store::StoredCertificate{.pem = "-",
                                                          .serial_hex = "5A0F01",
                                                          .subject = "CN=SEP001122334455",
                                                          .issuer = "CN=CAPF-test",
                                                          .not_before = now - 86400,
                                                          .not_after = now + 400 * 86400}};
  store::Device failed{.name = "SEP0011223344AA",
                       .operation_status = std::string(store::kStatusUpgradeLate)};
  store::Device waiting{.name = "CSFJSMITH",
                        .operation = store::Operation::kInstall,
                        .auth = store::AuthMode::kAuthString,
                        .auth_string = "13572468",
                        .complete_by = now + 7200,
                        .operation_status = std::string(store::kStatusPending)};
  for (const auto& d : {installed, failed, waiting}) ASSERT_TRUE(h.store().Add(d).ok()) << d.name;

  struct Case {
    std::string query;  ///< already percent-encoded
    std::vector<std::string> names;
  };
  // Blanks around a value (a pasted one) are ignored by both alike.
  const std::vector<Case> cases = {
      {"", {"CSFJSMITH", "SEP001122334455", "SEP0011223344AA"}},
      {"q=44aa", {"SEP0011223344AA"}},
      {"q=%2044AA%20", {"SEP0011223344AA"}},
      {"lsc_status=installed", {"SEP001122334455"}},
      {"lsc_status=%20Not%20Installed%20", {"CSFJSMITH", "SEP0011223344AA"}},
      {"operation_status=upgrade%20failed", {"SEP0011223344AA"}},
      {"operation_status=Operation%20Pending%20", {"CSFJSMITH"}},
      {"auth_string=%2013572468", {"CSFJSMITH"}},
      {"q=sep&lsc_status=not-installed", {"SEP0011223344AA"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query);
    const Reply listed = api.Get("/api/v1/devices?" + c.query);
    ASSERT_EQ(listed.status, 200) << listed;
    EXPECT_EQ(Names(listed.json_body["devices"]), c.names) << "the API";

    auto page = page_client->Get(("/devices?" + c.query).c_str(),
                                 httplib::Headers{{"Cookie", login.cookie}});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->status, 200);
    const std::vector<std::string> shown = testing::AllBetween(page->body, "data-device=\"", '"');
    EXPECT_EQ(shown, c.names) << "the page";
  }

  // A status that is not one: the same field at fault, each in its user's words.
  const Reply bad = api.Get("/api/v1/devices?lsc_status=done");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.field(), "lsc_status");
  auto bad_page =
      page_client->Get("/devices?lsc_status=done", httplib::Headers{{"Cookie", login.cookie}});
  ASSERT_TRUE(bad_page);
  EXPECT_EQ(bad_page->status, 400);
  EXPECT_THAT(bad_page->body, HasSubstr("LSC Status: "));
}

TEST(ApiTest, BulkImportIsAllOrNothing) {
  AdminHarness h;
  Api api = WithToken(h, "import");
  ASSERT_EQ(api.Post("/api/v1/devices", R"({"name": "SEP0011223344FF"})").status, 201);
  const auto before = StoredNames(h.store());

  const std::string bad =
      "name,operation,auth,auth_string\n"
      "SEP001122334401,install,null-string,\n"
      "SEP001122334402,install,auth-string,12ab\n"
      "SEP001122334403,,,\n";
  const Reply refused = api.Post("/api/v1/devices/import", bad, "text/csv");
  EXPECT_EQ(refused.status, 400) << refused;
  EXPECT_THAT(refused.error(), HasSubstr("nothing imported"));
  ASSERT_EQ(refused.json_body["problems"].size(), 1u) << refused;
  EXPECT_THAT(refused.json_body["problems"][0].get<std::string>(), HasSubstr("line 3"));
  EXPECT_EQ(StoredNames(h.store()), before);

  const Reply existing = api.Post("/api/v1/devices/import", "name\nSEP0011223344FF\n", "text/csv");
  EXPECT_EQ(existing.status, 409) << existing;
  EXPECT_EQ(StoredNames(h.store()), before);

  const std::string good =
      "name,operation,auth,auth_string\n"
      "SEP001122334401,install,null-string,\n"
      "SEP001122334402,install,auth-string,12345678\n"
      "SEP001122334403,,,\n";
  const Reply imported = api.Post("/api/v1/devices/import", good, "text/csv");
  ASSERT_EQ(imported.status, 201) << imported;
  EXPECT_EQ(imported.json_body["added"], 3);
  EXPECT_EQ(imported.json_body["scheduled"], 2);
  EXPECT_FALSE(imported.json_body["notes"].empty()) << "the default deadline is said";
  EXPECT_THAT(StoredNames(h.store()), ElementsAre("SEP001122334401", "SEP001122334402",
                                                  "SEP001122334403", "SEP0011223344FF"));
  EXPECT_TRUE(HasAudit(api.Get("/api/v1/audit").json_body["entries"], "device.import",
                       "token import", "3 devices"));
}

// ----- the report -----------------------------------------------------------------------------

store::StoredCertificate Lsc(std::time_t now, long days_left) {
  return {.pem = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
          .serial_hex = "0A1B2C" + std::to_string(days_left),
          .subject = "CN=LSC",
          .issuer = "CN=CAPF-test",
          .not_before = now - 86400,
          .not_after = now + days_left * 86400};
}

TEST(ApiTest, ReportIsTheClisReport) {
  AdminHarness h;
  Api api = WithToken(h, "report");
  const std::time_t now = h.clock().Now();
  auto add = [&](store::Device d) { ASSERT_TRUE(h.store().Add(d).ok()) << d.name; };
  add({.name = "SEP000000000001",
       .operation_status = "Upgrade Success",
       .lsc_status = store::LscStatus::kInstalled,
       .lsc = Lsc(now, 30)});
  add({.name = "SEP000000000002",
       .operation_status = "Upgrade Success",
       .lsc_status = store::LscStatus::kInstalled,
       .lsc = Lsc(now, 400)});
  add({.name = "SEP000000000003",
       .operation = store::Operation::kInstall,
       .complete_by = now + 3600,
       .operation_status = "Operation Pending"});
  add({.name = "CSFJSMITH"});

  auto expect_same = [&](const std::string& query, const report::Filter& filter,
                         std::time_t window) {
    SCOPED_TRACE(query);
    auto built = report::Build(h.store(), filter, now, window);
    ASSERT_TRUE(built.ok()) << built.message();
    const Reply as_json = api.Get("/api/v1/report" + query);
    ASSERT_EQ(as_json.status, 200) << as_json;
    EXPECT_EQ(as_json.json_body, report::RenderJson(*built));
    std::vector<std::string> names, statuses;
    for (const auto& row : as_json.json_body["rows"]) {
      names.push_back(row["name"].get<std::string>());
      statuses.push_back(row["lsc_status"].get<std::string>());
    }
    std::vector<std::string> want_names, want_statuses;
    for (const auto& row : built->rows) {
      want_names.push_back(row.name);
      want_statuses.push_back(row.lsc_status);
    }
    EXPECT_EQ(names, want_names);
    EXPECT_EQ(statuses, want_statuses);

    const Reply csv =
        api.Get("/api/v1/report" + query + (query.empty() ? "?" : "&") + "format=csv");
    ASSERT_EQ(csv.status, 200);
    EXPECT_EQ(csv.body, report::RenderCsv(*built));
    EXPECT_THAT(csv.header("Content-Type"), HasSubstr("text/csv"));
    EXPECT_EQ(csv.header("Content-Disposition"), "attachment; filename=\"capf-report.csv\"");

    const Reply table =
        api.Get("/api/v1/report" + query + (query.empty() ? "?" : "&") + "format=table");
    ASSERT_EQ(table.status, 200);
    EXPECT_EQ(table.body, report::RenderTable(*built, now));
    EXPECT_THAT(table.header("Content-Type"), HasSubstr("text/plain"));
  };
  auto filter = [](std::optional<store::LscStatus> status, std::optional<std::time_t> within) {
    report::Filter f;
    f.lsc_status = status;
    f.expiring_within = within;
    return f;
  };
  const std::time_t days90 = 90 * 86400;
  expect_same("", filter(std::nullopt, std::nullopt), days90);
  expect_same("?lsc_status=installed", filter(store::LscStatus::kInstalled, std::nullopt), days90);
  expect_same("?expiring_within=90d", filter(std::nullopt, days90), days90);
  expect_same("?lsc_status=Installed&expiring_within=12w",
              filter(store::LscStatus::kInstalled, 12 * 7 * 86400), 12 * 7 * 86400);

  const Reply expiring = api.Get("/api/v1/report?expiring_within=90d");
  ASSERT_EQ(expiring.json_body["rows"].size(), 1u);
  EXPECT_EQ(expiring.json_body["rows"][0]["name"], "SEP000000000001");
}

// ----- certificates and the ITL ---------------------------------------------------------------

std::string ReadText(const std::filesystem::path& path) {
  auto bytes = ReadFile(path);
  EXPECT_TRUE(bytes.ok()) << path;
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : "";
}

// Parses a PKCS#10 request and checks its self-signature.
bool ValidCsr(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_REQ* req = PEM_read_bio_X509_REQ(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!req) return false;
  EVP_PKEY* key = X509_REQ_get0_pubkey(req);
  const bool ok = key && X509_REQ_verify(req, key) == 1;
  X509_REQ_free(req);
  return ok;
}

TEST(ApiTest, CertificatesRegenerateCsrAndImport) {
  AdminHarness h(HarnessOptions{.serve_itl = true});
  Api api = WithToken(h, "pki");
  const service::DataDir dir(h.data());

  Reply list = api.Get("/api/v1/certificates");
  ASSERT_EQ(list.status, 200) << list;
  std::map<std::string, json> by_name;
  for (const auto& c : list.json_body["certificates"]) by_name[c["name"].get<std::string>()] = c;
  for (const char* name : {"capf", "callmanager", "tvs", "itlrecovery", "admin"}) {
    ASSERT_TRUE(by_name.contains(name)) << name;
    for (const char* field : {"role", "subject", "issuer", "serial", "not_before", "not_after",
                              "days_left", "key", "sha256", "in_itl", "chain", "pending_key"}) {
      EXPECT_TRUE(by_name[name].contains(field)) << name << " " << field;
    }
  }
  EXPECT_EQ(by_name["capf"]["in_itl"], true);
  EXPECT_TRUE(by_name["admin"]["in_itl"].is_null())
      << "the page's certificate has no place in an ITL";
  EXPECT_EQ(by_name["capf"]["key"], "RSA 2048");
  EXPECT_THAT(list.json_body["previous_capf"], IsEmpty());

  Reply capf = api.Get("/api/v1/certificates/CAPF");
  ASSERT_EQ(capf.status, 200) << capf;
  EXPECT_EQ(capf.json_body["name"], "capf");
  EXPECT_EQ(capf.json_body["pem"], ReadText(dir.certificate("capf")));
  EXPECT_EQ(api.Get("/api/v1/certificates/tftp").json_body["name"], "callmanager");

  // Regenerate: refused without confirm (and nothing changes), done with it.
  const auto files = CertFiles(h);
  const Reply unconfirmed = api.Post("/api/v1/certificates/capf/regenerate", R"({"days": 365})");
  EXPECT_EQ(unconfirmed.status, 400);
  EXPECT_THAT(unconfirmed.error(), HasSubstr("\"confirm\": true"));
  EXPECT_THAT(unconfirmed.error(), HasSubstr("keep existing LSCs valid"));
  EXPECT_THAT(unconfirmed.error(), HasSubstr("valid 365 days"));
  EXPECT_EQ(CertFiles(h), files);
  EXPECT_THAT(h.reloads(), IsEmpty());

  const std::string old_serial = by_name["capf"]["serial"].get<std::string>();
  Reply regenerated =
      api.Post("/api/v1/certificates/capf/regenerate", R"({"confirm": true, "days": 365})");
  ASSERT_EQ(regenerated.status, 200) << regenerated;
  const json& fresh = regenerated.json_body["certificate"];
  EXPECT_NE(fresh["serial"], old_serial);
  EXPECT_EQ(regenerated.json_body["previous_serial"], old_serial);
  EXPECT_EQ(fresh["in_itl"], true) << "the services rebuilt the ITL with it";
  EXPECT_EQ(fresh["days_left"], 364);
  ASSERT_EQ(h.reloads().size(), 1u);
  EXPECT_THAT(h.reloads()[0], HasSubstr("capf"));
  EXPECT_EQ(api.Get("/api/v1/certificates/capf").json_body["serial"], fresh["serial"]);
  EXPECT_EQ(api.Get("/api/v1/certificates").json_body["previous_capf"][0]["serial"], old_serial);
  EXPECT_TRUE(HasAudit(api.Get("/api/v1/audit").json_body["entries"], "certificate.regenerate",
                       "token pki", "capf"));

  // CSR with a new key, signed by a "third-party" CA, imported.
  Reply csr = api.Post("/api/v1/certificates/tvs/csr",
                       R"({"subject": "CN=TVS-pub1,O=Example", "new_key": true})");
  ASSERT_EQ(csr.status, 200) << csr;
  EXPECT_TRUE(ValidCsr(csr.json_body["pem"].get<std::string>())) << csr.body;
  EXPECT_EQ(csr.json_body["subject"], "CN=TVS-pub1,O=Example");
  EXPECT_EQ(csr.json_body["pending_key"], true);
  EXPECT_EQ(api.Get("/api/v1/certificates/tvs").json_body["pending_key"], true);
  const Reply current_key = api.Post("/api/v1/certificates/capf/csr", "{}");
  ASSERT_EQ(current_key.status, 200) << current_key;
  EXPECT_TRUE(ValidCsr(current_key.json_body["pem"].get<std::string>()));
  EXPECT_EQ(current_key.json_body["pending_key"], false);

  pki::CertificateProfile root_profile;
  root_profile.subject = {{"CN", "Test Root CA"}};
  root_profile.ca = true;
  root_profile.key_usage = {"keyCertSign", "cRLSign"};
  auto root = pki::SelfSigned({pki::KeyAlgorithm::kRsa, 2048}, root_profile);
  ASSERT_TRUE(root.ok()) << root.message();
  auto pending = pki::PrivateKey::Load(service::PendingKeyPath(dir, "tvs"));
  ASSERT_TRUE(pending.ok()) << pending.message();
  pki::CertificateProfile tvs_profile;
  tvs_profile.subject = {{"CN", "TVS-pub1"}, {"O", "Example"}};
  tvs_profile.not_before = h.clock().Now() - 60;
  tvs_profile.key_usage = {"digitalSignature", "keyEncipherment"};
  tvs_profile.extended_key_usage = {"serverAuth", "clientAuth"};
  auto signed_tvs =
      pki::IssueCertificate(tvs_profile, pending->get(), root->key, &root->certificate);
  ASSERT_TRUE(signed_tvs.ok()) << signed_tvs.message();

  const auto before_import = CertFiles(h);
  const Reply unchained = api.Post("/api/v1/certificates/tvs/import",
                                   json{{"certificate", root->certificate.ToPem()}}.dump());
  EXPECT_EQ(unchained.status, 400) << unchained;
  EXPECT_THAT(unchained.error(), HasSubstr("nothing changed: the uploaded certificate"));
  EXPECT_THAT(unchained.error(), Not(HasSubstr("api-upload")));
  EXPECT_EQ(CertFiles(h), before_import);

  Reply imported = api.Post(
      "/api/v1/certificates/tvs/import",
      json{{"certificate", signed_tvs->ToPem()}, {"chain", root->certificate.ToPem()}}.dump());
  ASSERT_EQ(imported.status, 200) << imported;
  EXPECT_EQ(imported.json_body["used_pending_key"], true);
  EXPECT_EQ(imported.json_body["certificate"]["issuer"], "CN=Test Root CA");
  ASSERT_EQ(imported.json_body["certificate"]["chain"].size(), 1u);
  EXPECT_EQ(imported.json_body["certificate"]["chain"][0]["subject"], "CN=Test Root CA");
  EXPECT_EQ(imported.json_body["certificate"]["pending_key"], false);
  EXPECT_EQ(h.reloads().size(), 2u);
  EXPECT_TRUE(HasAudit(api.Get("/api/v1/audit").json_body["entries"], "certificate.import",
                       "token pki", "tvs"));
  // The uploads went to temporary files, removed afterwards.
  EXPECT_TRUE(std::filesystem::is_empty(h.data() / "tmp"));
}

TEST(ApiTest, ItlIsTheServedFileAndItsShowItl) {
  AdminHarness h(HarnessOptions{.serve_itl = true});
  Api api = WithToken(h, "itl");
  const auto served = h.itl();
  ASSERT_TRUE(served);

  const Reply file = api.Get("/api/v1/itl");
  ASSERT_EQ(file.status, 200) << file.status;
  EXPECT_EQ(file.body, std::string(served->begin(), served->end()));
  EXPECT_EQ(file.header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(file.header("Content-Disposition"), "attachment; filename=\"ITLFile.tlv\"");

  auto list = tlv::Parse(*served);
  ASSERT_TRUE(list.ok()) << list.message();
  const auto verification = tlv::Verify(*served, *list);
  const Reply shown = api.Get("/api/v1/itl/show");
  ASSERT_EQ(shown.status, 200) << shown;
  EXPECT_EQ(shown.body, tlv::RenderShowItl(*served, *list, verification));
  EXPECT_THAT(shown.body, HasSubstr("verified successfully"));
  EXPECT_THAT(shown.header("Content-Type"), HasSubstr("text/plain"));

  const Reply as_json = api.Get("/api/v1/itl/show?format=json");
  ASSERT_EQ(as_json.status, 200);
  EXPECT_EQ(as_json.json_body, tlv::ToJson(*served, *list, verification));
  EXPECT_EQ(api.Get("/api/v1/itl/show?format=xml").status, 400);
}

}  // namespace
}  // namespace opencapf::admin
