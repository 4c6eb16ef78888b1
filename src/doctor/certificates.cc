// The procedure's step 1: the CAPF certificate's validity, and the other service certificates.
#include "doctor/checks.h"
#include "pki/certificate.h"
#include "pki/chain.h"

namespace opencapf::doctor {

namespace {

// Installed LSCs this certificate issued: they expire with it (an LSC never outlives its CAPF
// certificate) and must be reissued after a regeneration.
int LscsIssuedBy(Context& c, const pki::Certificate& capf) {
  if (!c.store) return 0;
  auto devices = c.store->List({});
  if (!devices.ok()) return 0;
  int n = 0;
  for (const auto& d : *devices) {
    if (!d.lsc || d.lsc->issuer != capf.Subject()) continue;
    // Same subject is not enough: a regenerated certificate keeps it. The signature decides.
    auto lsc = pki::Certificate::AllFromPem(d.lsc->pem);
    if (lsc.ok() && !lsc->empty() && pki::VerifyChain(lsc->front(), {capf}, c.now, false).ok()) {
      ++n;
    }
  }
  return n;
}

std::string Expiry(const pki::Certificate& cert, std::time_t now) {
  const long long left = static_cast<long long>(cert.not_after()) - now;
  return left < 0
             ? "expired on " + pki::FormatUtc(cert.not_after()) + " (" + Span(left) + " ago)"
             : "valid until " + pki::FormatUtc(cert.not_after()) + " (" + Span(left) + " left)";
}

}  // namespace

void CheckCapfCertificate(Context& c) {
  const std::string check = "capf-certificate";
  auto cert = pki::Certificate::Load(c.dir.certificate(service::kCapf));
  if (!cert.ok()) {
    c.Add(check, Level::kFail, "the CAPF certificate cannot be read: " + cert.message(),
          "without it CAPF cannot start or issue LSCs: phones show LSC: Connection failed",
          "restore certs/capf.pem and certs/capf.key, or make a new data directory with "
          "'opencapf init'");
    return;
  }
  c.capf_on_disk = *cert;
  const long long left = static_cast<long long>(cert->not_after()) - c.now;
  const int issued = LscsIssuedBy(c, *cert);
  const std::string lscs =
      std::to_string(issued) + " installed LSC" + (issued == 1 ? "" : "s") + " issued by it";
  const std::string consequence =
      "Regenerating it changes the ITL's CAPF record: every phone needs the new ITLFile.tlv "
      "(opencapf serve rebuilds it within 2 s; restart TFTP on every other TFTP server, then "
      "reset the phones), and the " +
      lscs + " must be reissued (schedule --operation install for those phones)";
  const std::string summary = cert->Subject() + " " + Expiry(*cert, c.now);
  if (left < 0) {
    c.Add(check, Level::kFail, summary,
          "CAPF cannot issue LSCs with an expired certificate, and LSCs it issued are no longer "
          "valid: never run the LSC process on an expired CAPF certificate",
          "regenerate it in a maintenance window ('opencapf cert regenerate capf --yes " +
              c.DataArg() + "'; the phones reset). " + consequence);
  } else if (left < static_cast<long long>(c.options.expiry_warn_days) * 86400) {
    c.Add(check, Level::kWarn,
          summary + ", within the " + std::to_string(c.options.expiry_warn_days) + "-day warning",
          "an LSC never outlives the CAPF certificate that signs it: LSCs issued now expire with "
          "it, and so do the " +
              lscs,
          "regenerate it before running LSC operations (procedure step 1), in a maintenance "
          "window: 'opencapf cert regenerate capf --yes " +
              c.DataArg() + "'. " + consequence);
  } else {
    c.Add(check, Level::kOk, summary + "; " + lscs);
  }
}

void CheckServiceCertificates(Context& c) {
  struct Own {
    const char* name;
    const char* what;
    const char* matters;
  };
  const Own owns[] = {
      {service::kCallManager, "CallManager/TFTP",
       "phones authenticate TFTP and the call server with it (ITL role CCM+TFTP)"},
      {service::kTvs, "TVS", "phones verify TVS with it before asking about certificates"},
      {service::kItlRecovery, "ITLRecovery",
       "it signs ITLFile.tlv: a phone takes a new ITL only from the signer it already trusts"},
  };
  for (const Own& own : owns) {
    const std::string check = std::string("certificate ") + own.name;
    auto cert = pki::Certificate::Load(c.dir.certificate(own.name));
    if (!cert.ok()) {
      c.Add(check, Level::kFail,
            std::string("the ") + own.what + " certificate cannot be read: " + cert.message(),
            own.matters, "restore certs/" + std::string(own.name) + ".pem and its key");
      continue;
    }
    const long long left = static_cast<long long>(cert->not_after()) - c.now;
    const std::string summary = cert->Subject() + " " + Expiry(*cert, c.now);
    if (left < 0) {
      c.Add(check, Level::kFail, summary, std::string("expired: ") + own.matters,
            "'opencapf cert regenerate " + std::string(own.name) + " --yes " + c.DataArg() +
                "' in a maintenance window; the ITL is rebuilt and phones must be reset to "
                "take it");
    } else if (left < static_cast<long long>(c.options.expiry_warn_days) * 86400) {
      c.Add(check, Level::kWarn, summary, own.matters,
            "before it expires, 'opencapf cert regenerate " + std::string(own.name) + " --yes " +
                c.DataArg() +
                "' in a maintenance window; the ITL is rebuilt and phones must be reset to "
                "take it");
    } else {
      c.Add(check, Level::kOk, summary);
    }
  }
}

}  // namespace opencapf::doctor
