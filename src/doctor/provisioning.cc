// Provisioning as a booting phone meets it: HTTP on 6970 answering, and the signed files the
// server makes verifying against the TFTP record of the ITL it serves.
#include <algorithm>
#include <filesystem>

#include "doctor/checks.h"
#include "http/client.h"
#include "phone/itl.h"
#include "sgn/signed_file.h"
#include "tftp/client.h"

namespace opencapf::doctor {

namespace {

constexpr std::size_t kMaxSignedChecked = 50;

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

void CheckProvisioning(Context& c) {
  const std::string host = LocalAddress(c.config.listen_address);
  http::HttpClientOptions http_options;
  http_options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.options.timeout);
  std::optional<Bytes> itl_bytes;
  bool http_itl = false;  // HTTP answered with the ITL
  if (c.config.http.enabled) {
    const std::string where = host + ":" + std::to_string(c.config.http.port);
    http::HttpFetch got = http::GetBlocking(host, c.config.http.port, "ITLFile.tlv", http_options);
    if (!got.ok()) {
      c.Add("http " + where, Level::kFail, "HTTP provisioning does not answer: " + got.message,
            "current phones ask every file over HTTP first and wait for it to fail before they "
            "try TFTP: slower boots, and firmware downloads without byte ranges",
            "start opencapf serve " + c.DataArg() + "; if it runs, check that TCP " +
                std::to_string(c.config.http.port) + " reaches it, or set [http] enabled = false");
    } else {
      c.Add("http " + where, Level::kOk,
            "HTTP provisioning answers; ITLFile.tlv is " + std::to_string(got.data.size()) +
                " bytes");
      itl_bytes = std::move(got.data);
      http_itl = true;
    }
  }
  tftp::ClientOptions tftp_options;
  tftp_options.retransmit_timeout = std::chrono::milliseconds(500);
  tftp_options.max_retries = static_cast<int>(std::max<long long>(1, c.options.timeout.count()));
  // Over TFTP the checks before have fetched it already; with neither, they say why.
  if (!itl_bytes) itl_bytes = c.served_itl;
  if (!itl_bytes) return;
  // The signed files are asked where the ITL came from: when HTTP does not answer, over TFTP
  // only (a server that answers neither costs one timeout per file otherwise).
  const bool http_answers = http_itl;
  phone::ItlReading reading = phone::ReadItl(*itl_bytes);
  if (!reading.itl) return;  // the ITL checks say why
  const std::vector<pki::Certificate> tftp_certificates =
      phone::TftpCertificates(reading.itl->list);
  if (tftp_certificates.empty()) return;

  // The configurations in the TFTP root, as a phone in secure mode asks for them: NAME.sgn.
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(c.dir.Resolve(c.config.tftp.root), ec)) {
    const std::string name = entry.path().filename().string();
    if (EndsWith(name, ".cnf.xml")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  if (names.size() > kMaxSignedChecked) names.resize(kMaxSignedChecked);
  std::size_t valid = 0;
  for (const auto& name : names) {
    const std::string signed_name = name + ".sgn";
    Bytes bytes;
    std::string failure;
    bool refused = false;  // an encrypted phone without a certificate: refused on purpose
    if (http_answers) {
      http::HttpFetch got = http::GetBlocking(host, c.config.http.port, signed_name, http_options);
      if (got.ok()) {
        bytes = std::move(got.data);
      } else {
        failure = got.message;
        refused = got.status == 403;
      }
    }
    if (bytes.empty() && !refused && c.served_itl) {
      tftp::FetchResult fetched =
          tftp::FetchBlocking(host, c.config.tftp.port, signed_name, tftp_options);
      if (fetched.ok()) {
        bytes = std::move(fetched.data);
      } else {
        failure = fetched.message;
        refused = fetched.failure == tftp::FetchFailure::kRefused;
      }
    }
    if (bytes.empty()) {
      if (refused) continue;  // devices.cc says why
      c.Add("sgn " + signed_name, Level::kFail, "not served: " + failure,
            "a phone whose ITL lists a TFTP certificate asks for this name and gets no "
            "configuration",
            "look at the server's log for why it cannot sign it");
      continue;
    }
    auto parsed = sgn::Parse(bytes);
    std::string why = parsed.ok() ? "" : parsed.message();
    bool ok = false;
    if (parsed.ok()) {
      for (const auto& certificate : tftp_certificates) {
        auto v = sgn::Verify(bytes, *parsed, certificate);
        ok = ok || v.valid();
        if (!v.valid()) why = v.reason;
      }
    }
    if (ok) {
      ++valid;
      continue;
    }
    c.Add("sgn " + signed_name, Level::kFail,
          "does not verify against the ITL's TFTP certificate: " + why,
          "phones refuse it (File auth error) and do not take their configuration",
          "remove a hand-made " + signed_name +
              " from the TFTP root (opencapf signs it on demand), or sign it with the "
              "CallManager/TFTP certificate: opencapf sgn build " +
              name + c.DataArg());
  }
  if (!names.empty()) {
    c.Add("sgn", Level::kOk,
          std::to_string(valid) +
              " signed configuration(s) verify against the ITL's TFTP "
              "certificate " +
              tftp_certificates.front().Subject());
  }
}

}  // namespace opencapf::doctor
