// Revocation as head-ends see it: the OCSP responder answering, signing with the CAPF certificate
// they trust, and the CRL at [lsc] crl_url current.
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>

#include "doctor/checks.h"
#include "http/client.h"
#include "pki/openssl_ptr.h"
#include "service/crls.h"

namespace opencapf::doctor {

namespace {

using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, pki::OpenSslDeleter<OCSP_REQUEST_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, pki::OpenSslDeleter<OCSP_RESPONSE_free>>;
using OcspBasicPtr = std::unique_ptr<OCSP_BASICRESP, pki::OpenSslDeleter<OCSP_BASICRESP_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, pki::OpenSslDeleter<X509_STORE_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, pki::OpenSslDeleter<X509_CRL_free>>;

std::string Base64(const Bytes& der) {
  std::string out(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), der.data(),
                                static_cast<int>(der.size()));
  out.resize(static_cast<std::size_t>(std::max(n, 0)));
  return out;
}

// What a head-end does: asks about a serial of the CAPF certificate's (a random one, which no
// revocation names: the answer must be "good") with a nonce, and verifies the answer against
// the CAPF certificate alone, finding the signer in the response as FreeRADIUS does.
std::string AskResponder(const Context& c, const pki::Certificate& capf, const std::string& host,
                         std::uint16_t port) {
  unsigned char serial_bytes[16];
  RAND_bytes(serial_bytes, sizeof serial_bytes);
  serial_bytes[0] &= 0x7f;
  pki::BignumPtr bn(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
  pki::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  OcspRequestPtr request(OCSP_REQUEST_new());
  OCSP_CERTID* id = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(capf.get()),
                                     X509_get0_pubkey_bitstr(capf.get()), serial.get());
  if (!request || !id || !OCSP_request_add0_id(request.get(), id) ||
      OCSP_request_add1_nonce(request.get(), nullptr, 16) != 1) {
    return "cannot make a request: " + pki::OpenSslErrors();
  }
  unsigned char* der = nullptr;
  const int len = i2d_OCSP_REQUEST(request.get(), &der);
  if (len <= 0) return "cannot encode a request: " + pki::OpenSslErrors();
  Bytes bytes(der, der + len);
  OPENSSL_free(der);
  http::HttpClientOptions options;
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.options.timeout);
  // The GET form of RFC 6960 appendix A, as head-ends that cache use it.
  const http::HttpFetch got = http::GetBlocking(host, port, Base64(bytes), options);
  if (!got.ok()) return "it does not answer: " + got.message;
  const unsigned char* p = got.data.data();
  OcspResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(got.data.size())));
  if (!response) return "its answer is not an OCSP response";
  if (OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    return std::string("it answered ") +
           OCSP_response_status_str(OCSP_response_status(response.get()));
  }
  OcspBasicPtr basic(OCSP_response_get1_basic(response.get()));
  X509StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), capf.get());
  if (!basic || OCSP_basic_verify(basic.get(), nullptr, store.get(), 0) != 1) {
    ERR_clear_error();
    return "its answer does not verify against the CAPF certificate head-ends trust";
  }
  if (OCSP_check_nonce(request.get(), basic.get()) != 1) return "its answer lacks our nonce";
  int status = -1, reason = -1;
  ASN1_GENERALIZEDTIME *revoked = nullptr, *this_update = nullptr, *next_update = nullptr;
  if (OCSP_resp_count(basic.get()) != 1) return "its answer is not about the one certificate asked";
  status = OCSP_single_get0_status(OCSP_resp_get0(basic.get(), 0), &reason, &revoked, &this_update,
                                   &next_update);
  if (status != V_OCSP_CERTSTATUS_GOOD) {
    return std::string("it says ") + OCSP_cert_status_str(status) +
           " for a serial no revocation names";
  }
  if (OCSP_check_validity(this_update, next_update, 300, -1) != 1) {
    ERR_clear_error();
    return "its answer's thisUpdate/nextUpdate are not current (check the clocks)";
  }
  return "";
}

// "http://host:port/path" into its parts; nullopt for anything else (https is not checked).
struct Url {
  std::string host;
  std::uint16_t port = 80;
  std::string path;
};
std::optional<Url> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  std::string rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  Url out;
  std::string authority = rest.substr(0, slash);
  out.path = slash == std::string::npos ? "" : rest.substr(slash + 1);
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    try {
      const int port = std::stoi(authority.substr(colon + 1));
      if (port < 1 || port > 65535) return std::nullopt;
      out.port = static_cast<std::uint16_t>(port);
    } catch (...) {
      return std::nullopt;
    }
    authority.resize(colon);
  }
  out.host = authority;
  if (out.host.empty()) return std::nullopt;
  return out;
}

void CheckCrlUrl(Context& c, const pki::Certificate& capf) {
  const std::string url = service::LscCrlUrl(c.config.lsc.crl_url, capf);
  auto parts = ParseHttpUrl(url);
  if (!parts) {
    c.Add("crl " + url, Level::kWarn, "not checked: only http:// CRL URLs are fetched here");
    return;
  }
  http::HttpClientOptions options;
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.options.timeout);
  const http::HttpFetch got = http::GetBlocking(parts->host, parts->port, parts->path, options);
  const std::string fix =
      "the URL LSCs carry must serve the CAPF certificate's CRL: point [lsc] "
      "crl_url at HTTP 6970 of a running serve (a URL ending in '/'), or "
      "publish " +
      service::CrlDir(c.dir).string() + " there";
  if (!got.ok()) {
    c.Add("crl " + url, Level::kFail, "the CRL LSCs point at cannot be fetched: " + got.message,
          "head-ends that fetch CRLs from the certificate refuse every phone once theirs ends",
          fix);
    return;
  }
  const unsigned char* p = got.data.data();
  X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(got.data.size())));
  if (!crl || X509_CRL_verify(crl.get(), capf.public_key()) != 1) {
    ERR_clear_error();
    c.Add("crl " + url, Level::kFail,
          "what the CRL URL serves is not a DER CRL signed by the current CAPF certificate",
          "head-ends reject it, and with it every phone", fix);
    return;
  }
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
  int days = 0, seconds = 0;
  if (!next || ASN1_TIME_diff(&days, &seconds, nullptr, next) != 1 || days < 0 || seconds < 0) {
    c.Add("crl " + url, Level::kFail, "the CRL at the CRL URL is past its nextUpdate",
          "head-ends refuse every phone with a CRL past its nextUpdate",
          "start opencapf serve " + c.DataArg() + " (it signs fresh CRLs), then check the URL");
    return;
  }
  c.Add("crl " + url, Level::kOk,
        "the CRL LSCs point at is the CAPF certificate's, current for " +
            Span(static_cast<long long>(days) * 86400 + seconds));
}

}  // namespace

void CheckRevocationServices(Context& c) {
  const auto& config = c.config;
  if (!c.capf_on_disk) return;  // the certificate checks say why
  const pki::Certificate& capf = *c.capf_on_disk;
  if (config.ocsp.port == 0) {
    if (!config.lsc.ocsp_url.empty()) {
      c.Add("ocsp", Level::kWarn,
            "new LSCs name the OCSP responder " + config.lsc.ocsp_url +
                ", but [ocsp] port = 0: this server runs none",
            "head-ends that check OCSP refuse the phones (or, with softfail, check nothing)",
            "set [ocsp] port in opencapf.toml and restart serve, or empty [lsc] ocsp_url");
    }
  } else {
    const std::string host = LocalAddress(config.listen_address);
    const std::string where = host + ":" + std::to_string(config.ocsp.port);
    const std::string problem = AskResponder(c, capf, host, config.ocsp.port);
    if (problem.empty()) {
      c.Add("ocsp " + where, Level::kOk,
            "the OCSP responder answers, signed by the CAPF certificate head-ends trust");
    } else {
      c.Add("ocsp " + where, Level::kFail, "the OCSP responder: " + problem,
            "head-ends that check OCSP refuse every phone (or, with softfail, check nothing)",
            "start opencapf serve " + c.DataArg() + "; if it runs, check that TCP " +
                std::to_string(config.ocsp.port) + " reaches it");
    }
  }
  if (!config.lsc.crl_url.empty()) CheckCrlUrl(c, capf);
}

}  // namespace opencapf::doctor
