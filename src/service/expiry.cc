#include "service/expiry.h"

#include <algorithm>

#include "pki/certificate.h"
#include "service/certificates.h"

namespace opencapf::service {

namespace {

long DaysLeft(std::time_t not_after, std::time_t now) {
  const std::time_t left = not_after - now;
  return static_cast<long>(left >= 0 ? left / 86400 : -((-left + 86399) / 86400));
}

std::string When(long days, std::time_t not_after) {
  if (days < 0) return "expired on " + pki::FormatUtc(not_after);
  if (days == 0) return "expires within a day, on " + pki::FormatUtc(not_after);
  return "expires in " + std::to_string(days) + (days == 1 ? " day" : " days") + ", on " +
         pki::FormatUtc(not_after);
}

std::string Advice(const std::string& name, bool third_party) {
  const std::string renew =
      third_party ? "have your CA sign a new one ('opencapf cert csr " + name +
                        " --new-key', then 'opencapf cert import " + name + " SIGNED.pem')"
                  : "renew it with 'opencapf cert regenerate " + name + " --yes'";
  if (name == kCapf) {
    return renew +
           " in a maintenance window: LSCs are never issued past it, and phones take the new ITL";
  }
  if (name == kItlRecovery) return renew + "; phones then need the re-signed ITL";
  return renew;
}

}  // namespace

Result<std::vector<ExpiryWarning>> CheckExpiry(const DataDir& dir, store::Store* store,
                                               const Clock& clock, int window_days) {
  const std::time_t now = clock.Now();
  const std::time_t limit = now + static_cast<std::time_t>(window_days) * 86400;
  std::vector<ExpiryWarning> out;
  auto add = [&](ExpiryWarning::Kind kind, const std::string& name, const std::string& subject,
                 std::time_t not_after, const std::string& what, const std::string& advice) {
    if (not_after > limit) return;
    ExpiryWarning w;
    w.kind = kind;
    w.name = name;
    w.subject = subject;
    w.not_after = not_after;
    w.days_left = DaysLeft(not_after, now);
    w.expired = not_after < now;
    w.message = what + " " + When(w.days_left, not_after) + ": " + advice;
    out.push_back(std::move(w));
  };
  for (const auto& name : ServiceCertificateNames()) {
    if (MissingOptionalCertificate(dir, name)) continue;
    auto cert = pki::Certificate::Load(dir.certificate(name));
    if (!cert.ok()) return cert.error();
    auto chain = LoadChain(dir, name, *cert);
    const bool third_party = chain.ok() && !chain->empty();
    add(ExpiryWarning::Kind::kService, name, cert->Subject(), cert->not_after(),
        "the " + name + " certificate (" + cert->Subject() + ")", Advice(name, third_party));
    if (chain.ok()) {
      for (const auto& issuer : *chain) {
        add(ExpiryWarning::Kind::kChain, name, issuer.Subject(), issuer.not_after(),
            "the CA certificate " + issuer.Subject() + " in the " + name + " chain",
            "get a renewed chain from the CA and import it with the certificate ('opencapf "
            "cert import " +
                name + " CERT.pem --chain CHAIN.pem')");
      }
    }
  }
  if (store) {
    auto devices = store->List({});
    if (!devices.ok()) return devices.error();
    for (const auto& d : *devices) {
      if (!d.lsc) continue;
      add(ExpiryWarning::Kind::kLsc, d.name, d.lsc->subject, d.lsc->not_after,
          "the LSC of " + d.name + " (serial " + d.lsc->serial_hex + ")",
          "schedule a new one with 'opencapf device set " + d.name + " --operation install'");
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const ExpiryWarning& a, const ExpiryWarning& b) {
    return a.not_after < b.not_after;
  });
  return out;
}

}  // namespace opencapf::service
