// /api/v1/certificates: the service certificates through their life (what `opencapf cert` does).
// A change is picked up by the running services at once (ctx.reload) and recorded in the audit
// log. The ITL's routes are api_itl.cc's.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "admin/api.h"
#include "admin/guard.h"
#include "admin/http.h"
#include "admin/served_itl.h"
#include "base/bytes.h"
#include "base/json.h"
#include "pki/issuer.h"
#include "service/certificate_json.h"
#include "service/certificates.h"
#include "service/cluster_certificates.h"
#include "store/device_edit.h"
#include "store/time_text.h"

namespace opencapf::admin {

namespace {

namespace fs = std::filesystem;

constexpr int kMaxDays = 365 * 100;

// Certificate files change as a set (key, certificate, chain, previous CAPF): one change at a
// time from this server, so two requests never interleave their files.
std::mutex& CertificateChanges() {
  static std::mutex mu;
  return mu;
}

// The certificate named in the path, canonical; or a 404 sent.
std::optional<std::string> PathCertificate(AdminContext& ctx, const httplib::Request& req,
                                           httplib::Response& res) {
  auto name = service::CanonicalCertificateName(req.matches[1].str());
  if (!name.ok()) {
    SendError(res, 404, name.message() + "; list them with GET /api/v1/certificates", "name");
    return std::nullopt;
  }
  if (service::MissingOptionalCertificate(ctx.dir, *name)) {
    SendError(res, 404,
              "there is no " + *name +
                  " certificate yet; 'opencapf serve' makes the administration page's at start",
              "name");
    return std::nullopt;
  }
  return *name;
}

// One certificate as described now (after a change: with the ITL the services rebuilt).
std::optional<nlohmann::ordered_json> Describe(AdminContext& ctx, const std::string& name, bool pem,
                                               httplib::Response& res) {
  auto infos = DescribeCertificates(ctx);
  if (!infos.ok()) {
    SendError(res, 500, "the certificates cannot be read: " + infos.message());
    return std::nullopt;
  }
  for (const auto& info : *infos) {
    if (info.name == name) return service::CertificateInfoJson(info, ctx.clock.Now(), pem);
  }
  SendError(res, 500, "the " + name + " certificate disappeared while it was being read");
  return std::nullopt;
}

// Tells the running services, if any, and says what phones and head-ends see next.
std::string Reload(AdminContext& ctx, const std::string& why) {
  if (!ctx.reload) {
    return "a running 'opencapf serve' loads it within seconds and rebuilds ITLFile.tlv";
  }
  if (Status loaded = ctx.reload(why); !loaded.ok()) {
    return "the running services could NOT load it and keep serving the previous certificates: " +
           loaded.message() + "; fix the files under certs/ (see 'opencapf doctor')";
  }
  return "the running services loaded it; ITLFile.tlv was rebuilt and is served on TFTP now";
}

Result<std::optional<pki::KeySpec>> KeyField(const nlohmann::json& body) {
  auto text = StringField(body, "key", "rsa:2048");
  if (!text.ok()) return text.error();
  if (!*text) return std::optional<pki::KeySpec>();
  auto spec = pki::KeySpec::Parse(**text);
  if (!spec.ok()) return spec.error();
  return std::optional<pki::KeySpec>(*spec);
}

Result<bool> BoolField(const nlohmann::json& body, const std::string& field) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return false;
  if (!it->is_boolean()) {
    return Fail(field + " must be true or false (JSON, without quotes), not a JSON " +
                it->type_name());
  }
  return it->get<bool>();
}

// The temporary file's name means nothing to the client; `replacement` says what it held.
void Replace(std::string& text, const std::string& from, const std::string& replacement) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), replacement);
    at += replacement.size();
  }
}

// A PEM from a request body, in a file for service::ImportCertificate (which reads files, as
// `cert import` does): 0600 under the data directory, removed when done.
class UploadedFile {
 public:
  static Result<std::unique_ptr<UploadedFile>> Write(const service::DataDir& dir,
                                                     const std::string& text) {
    const fs::path tmp = dir.root() / "tmp";
    std::error_code ec;
    fs::create_directories(tmp, ec);
    if (ec) return Fail(tmp.string() + ": cannot create: " + ec.message());
    ::chmod(tmp.c_str(), 0700);
    std::string path = (tmp / "api-upload-XXXXXX").string();
    const int fd = ::mkstemp(path.data());
    if (fd < 0) return Fail(tmp.string() + ": cannot create a temporary file");
    auto file = std::unique_ptr<UploadedFile>(new UploadedFile(path));
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n <= 0) {
        ::close(fd);
        return Fail(path + ": cannot write the uploaded certificate");
      }
      done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) return Fail(path + ": cannot write the uploaded certificate");
    return file;
  }
  ~UploadedFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit UploadedFile(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

void ListCertificates(AdminContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!CheckQuery(req, res, {})) return;
  auto infos = DescribeCertificates(ctx);
  if (!infos.ok()) {
    return SendError(res, 500, "the certificates cannot be read: " + infos.message());
  }
  auto previous = service::PreviousCapfCertificates(ctx.dir);
  if (!previous.ok()) {
    return SendError(res, 500,
                     "the earlier CAPF certificates cannot be read: " + previous.message());
  }
  const std::time_t now = ctx.clock.Now();
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& info : *infos) list.push_back(service::CertificateInfoJson(info, now, false));
  nlohmann::ordered_json earlier = nlohmann::ordered_json::array();
  for (const auto& c : *previous) earlier.push_back(service::CertificateJson(c, now));
  SendJson(res, 200, {{"certificates", std::move(list)}, {"previous_capf", std::move(earlier)}});
}

void ShowCertificate(AdminContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!CheckQuery(req, res, {})) return;
  auto name = PathCertificate(ctx, req, res);
  if (!name) return;
  if (auto info = Describe(ctx, *name, true, res)) SendJson(res, 200, *info);
}

void Regenerate(AdminContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& who) {
  auto name = PathCertificate(ctx, req, res);
  if (!name) return;
  auto body = ReadBody(req, res, {"confirm", "key", "days"});
  if (!body) return;
  auto confirm = BoolField(*body, "confirm");
  if (!confirm.ok()) return SendError(res, 400, confirm.message(), "confirm");
  auto key = KeyField(*body);
  if (!key.ok()) return SendError(res, 400, key.message(), "key");
  int days = service::DefaultCertificateDays(*name);
  if (const auto it = body->find("days"); it != body->end() && !it->is_null()) {
    if (!it->is_number_integer() || *it <= 0 || *it > kMaxDays) {
      return SendError(res, 400,
                       "days must be a whole number of days from 1 to " + std::to_string(kMaxDays) +
                           ", e.g. 1825 (5 years)",
                       "days");
    }
    days = it->get<int>();
  }
  std::lock_guard lock(CertificateChanges());
  auto old = service::LoadIdentity(ctx.dir, *name);
  if (!old.ok()) return SendError(res, 500, old.message());
  const std::string key_text =
      *key ? (*key)->ToString()
           : pki::KeySpec{old->key.algorithm(), old->key.bits()}.ToString() + " (as now)";
  if (!*confirm) {
    return SendError(res, 400,
                     "not done: this needs \"confirm\": true.\n" +
                         service::RegenerationEffects(*name, old->certificate, key_text, days) +
                         "send the request again with \"confirm\": true to do it",
                     "confirm");
  }
  auto fresh = service::RegenerateCertificate(ctx.dir, *name, *key, days, ctx.clock);
  // The request was checked above: what fails here is the disk or OpenSSL, not the input.
  if (!fresh.ok()) return SendError(res, 500, "nothing changed: " + fresh.message());
  const std::string old_serial = HexUpper(old->certificate.SerialBytes(), "");
  const std::string new_serial = HexUpper(fresh->certificate.SerialBytes(), "");
  Audit(ctx, who, "certificate.regenerate", *name,
        "serial " + old_serial + " -> " + new_serial + ", " +
            pki::KeyAlgorithmName(fresh->key.algorithm()) + " " +
            std::to_string(fresh->key.bits()) + ", " + std::to_string(days) + " days");
  std::vector<std::string> notes = {
      Reload(ctx, "certificate " + *name + " regenerated by " + who.Actor())};
  if (auto shared = service::PublishCertificateFiles(ctx.dir, ctx.store); !shared.ok()) {
    notes.push_back("the cluster's other nodes do not have this change yet: " + shared.message());
  } else if (*shared) {
    notes.push_back(**shared);
  }
  if (*name == service::kCapf) {
    notes.push_back("the previous CAPF certificate (serial " + old_serial +
                    ") is kept in certs/previous/ as a trusted issuer: its LSCs stay valid");
    notes.push_back(
        "give your 802.1X/VPN head-ends the new CAPF certificate (opencapf trust export --for "
        "radius --out ca.pem); phones take the new ITL when they reset");
  } else if (*name == service::kAdmin) {
    notes.push_back("this page keeps its current certificate until 'opencapf serve' restarts");
  }
  auto info = Describe(ctx, *name, false, res);
  if (!info) return;
  SendJson(res, 200, {{"certificate", *info}, {"previous_serial", old_serial}, {"notes", notes}});
}

void Csr(AdminContext& ctx, const httplib::Request& req, httplib::Response& res,
         const Principal& who) {
  auto name = PathCertificate(ctx, req, res);
  if (!name) return;
  auto body = ReadBody(req, res, {"subject", "new_key", "key"});
  if (!body) return;
  auto subject = StringField(*body, "subject", "CN=CAPF-pub1,O=Example");
  if (!subject.ok()) return SendError(res, 400, subject.message(), "subject");
  if (*subject) {
    if (auto parsed = pki::ParseSubject(**subject); !parsed.ok()) {
      return SendError(res, 400, parsed.message(), "subject");
    }
  }
  auto new_key = BoolField(*body, "new_key");
  if (!new_key.ok()) return SendError(res, 400, new_key.message(), "new_key");
  auto key = KeyField(*body);
  if (!key.ok()) return SendError(res, 400, key.message(), "key");
  if (*key && !*new_key) {
    return SendError(res, 400,
                     "key makes a fresh key: give \"new_key\": true with it (without it the "
                     "request is signed with the current key)",
                     "key");
  }
  std::lock_guard lock(CertificateChanges());
  auto csr = service::MakeCertificateRequest(ctx.dir, *name, *subject, *new_key, *key);
  if (!csr.ok()) return SendError(res, 400, "no request made: " + csr.message());
  Audit(ctx, who, "certificate.csr", *name,
        csr->subject + (csr->pending_key ? ", new " + csr->key + " key pending" : ""));
  std::vector<std::string> notes;
  if (*name == service::kCapf) {
    notes.push_back(
        "it asks for CA:TRUE, pathlen:0 and keyUsage digitalSignature, keyCertSign, cRLSign: "
        "the CA must sign it as a subordinate CA, or phones fail TLS with CAPF");
  }
  notes.push_back("have your CA sign it, then POST /api/v1/certificates/" + *name +
                  "/import with {\"certificate\": SIGNED-PEM, \"chain\": CA-CHAIN-PEM}");
  SendJson(res, 200,
           {{"pem", csr->pem},
            {"subject", csr->subject},
            {"key", csr->key},
            {"pending_key", csr->pending_key.has_value()},
            {"notes", notes}});
}

void Import(AdminContext& ctx, const httplib::Request& req, httplib::Response& res,
            const Principal& who) {
  auto name = PathCertificate(ctx, req, res);
  if (!name) return;
  auto body = ReadBody(req, res, {"certificate", "chain"});
  if (!body) return;
  auto certificate = StringField(*body, "certificate", "-----BEGIN CERTIFICATE-----\\n...");
  if (!certificate.ok()) return SendError(res, 400, certificate.message(), "certificate");
  if (!*certificate || (*certificate)->empty()) {
    return SendError(res, 400,
                     "certificate is required: the PEM the CA signed (it may be followed by its "
                     "chain), as one JSON string with \\n line breaks",
                     "certificate");
  }
  auto chain = StringField(*body, "chain", "-----BEGIN CERTIFICATE-----\\n...");
  if (!chain.ok()) return SendError(res, 400, chain.message(), "chain");

  std::lock_guard lock(CertificateChanges());
  auto signed_file = UploadedFile::Write(ctx.dir, **certificate);
  if (!signed_file.ok()) return SendError(res, 500, signed_file.message());
  std::unique_ptr<UploadedFile> chain_file;
  std::optional<fs::path> chain_path;
  if (*chain && !(*chain)->empty()) {
    auto written = UploadedFile::Write(ctx.dir, **chain);
    if (!written.ok()) return SendError(res, 500, written.message());
    chain_file = std::move(*written);
    chain_path = chain_file->path();
  }
  auto imported =
      service::ImportCertificate(ctx.dir, *name, (*signed_file)->path(), chain_path, ctx.clock);
  if (!imported.ok()) {
    std::string message = imported.message();
    Replace(message, (*signed_file)->path().string(), "the uploaded certificate");
    if (chain_path) Replace(message, chain_path->string(), "the uploaded chain");
    if (!message.starts_with("nothing changed")) message = "nothing changed: " + message;
    return SendError(res, 400, message);
  }
  const pki::Certificate& c = imported->identity.certificate;
  Audit(ctx, who, "certificate.import", *name,
        "serial " + HexUpper(c.SerialBytes(), "") + " issued by " + c.Issuer());
  std::vector<std::string> notes = {
      Reload(ctx, "certificate " + *name + " imported by " + who.Actor())};
  if (auto shared = service::PublishCertificateFiles(ctx.dir, ctx.store); !shared.ok()) {
    notes.push_back("the cluster's other nodes do not have this change yet: " + shared.message());
  } else if (*shared) {
    notes.push_back(**shared);
  }
  if (imported->kept_previous) {
    notes.push_back("the previous CAPF certificate (serial " +
                    HexUpper(imported->kept_previous->SerialBytes(), "") +
                    ") is kept in certs/previous/ as a trusted issuer: its LSCs stay valid");
  }
  if (*name == service::kCapf) {
    notes.push_back(
        "LSCs are now issued under it; give your 802.1X/VPN head-ends the new trust (opencapf "
        "trust export --for radius --out ca.pem)");
  }
  notes.insert(notes.end(), imported->notes.begin(), imported->notes.end());
  auto info = Describe(ctx, *name, false, res);
  if (!info) return;
  SendJson(res, 200,
           {{"certificate", *info},
            {"used_pending_key", imported->used_pending_key},
            {"kept_previous",
             imported->kept_previous
                 ? nlohmann::ordered_json(HexUpper(imported->kept_previous->SerialBytes(), ""))
                 : nlohmann::ordered_json(nullptr)},
            {"notes", notes}});
}

}  // namespace

void RegisterCertificateApi(httplib::Server& server, AdminContext& ctx) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  server.Get("/api/v1/certificates", ApiRoute(ctx, [&ctx](Req req, Res res, const Principal&) {
               ListCertificates(ctx, req, res);
             }));
  server.Get(R"(/api/v1/certificates/([^/]+))",
             ApiRoute(ctx, [&ctx](Req req, Res res, const Principal&) {
               ShowCertificate(ctx, req, res);
             }));
  server.Post(R"(/api/v1/certificates/([^/]+)/regenerate)",
              ApiRoute(ctx, [&ctx](Req req, Res res, const Principal& who) {
                Regenerate(ctx, req, res, who);
              }));
  server.Post(
      R"(/api/v1/certificates/([^/]+)/csr)",
      ApiRoute(ctx, [&ctx](Req req, Res res, const Principal& who) { Csr(ctx, req, res, who); }));
  server.Post(R"(/api/v1/certificates/([^/]+)/import)",
              ApiRoute(ctx, [&ctx](Req req, Res res, const Principal& who) {
                Import(ctx, req, res, who);
              }));
}

}  // namespace opencapf::admin
