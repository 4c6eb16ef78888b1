#include "service/trust_export.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "pki/crl.h"
#include "service/certificates.h"

namespace opencapf::service {

Result<ExportFormat> ParseExportFormat(std::string_view text) {
  std::string lower;
  for (char c : text)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "radius" || lower == "freeradius") return ExportFormat::kRadius;
  if (lower == "asa") return ExportFormat::kAsa;
  if (lower == "ocserv") return ExportFormat::kOcserv;
  if (lower == "pem") return ExportFormat::kPem;
  return Fail("--for '" + std::string(text) + "' is not one of radius, asa, ocserv, pem");
}

Result<TrustExport> CollectTrustAnchors(const DataDir& dir, store::Store& store,
                                        const Clock& clock) {
  const std::time_t now = clock.Now();
  auto current = pki::Certificate::Load(dir.certificate(kCapf));
  if (!current.ok()) return current.error();
  auto chain = LoadChain(dir, kCapf, *current);
  if (!chain.ok()) return chain.error();
  auto previous = PreviousCapfCertificates(dir);
  if (!previous.ok()) return previous.error();
  auto devices = store.List({});
  if (!devices.ok()) return devices.error();

  TrustExport out;
  out.anchors.push_back({*current, "the current CAPF certificate (issues new LSCs)"});
  for (const auto& c : *chain) {
    out.anchors.push_back({c, "the CA chain above the CAPF certificate"});
  }

  // LSCs still valid and not revoked, parsed once.
  std::vector<pki::Certificate> live;
  for (const auto& d : *devices) {
    for (const auto* slot : {&d.lsc, &d.pending_lsc}) {
      if (!*slot || (*slot)->not_after < now) continue;
      auto revoked = store.FindRevocation((*slot)->issuer, (*slot)->serial_hex);
      if (!revoked.ok()) return revoked.error();
      if (*revoked) continue;
      auto cert = pki::Certificate::AllFromPem((*slot)->pem);
      if (cert.ok()) live.push_back(cert->front());
    }
  }
  for (const auto& p : *previous) {
    if (p == *current) continue;
    if (p.not_after() < now) {
      out.left_out.push_back({p, "expired on " + pki::FormatUtc(p.not_after())});
      continue;
    }
    std::size_t signed_count = 0;
    std::time_t last = 0;
    for (const auto& lsc : live) {
      if (lsc.Issuer() == p.Subject() && pki::SignedBy(lsc, p)) {
        ++signed_count;
        last = std::max(last, lsc.not_after());
      }
    }
    if (signed_count == 0) {
      out.left_out.push_back({p, "no valid, unrevoked LSC it signed remains"});
      continue;
    }
    out.anchors.push_back({p, "an earlier CAPF certificate: " + std::to_string(signed_count) +
                                  (signed_count == 1 ? " LSC" : " LSCs") +
                                  " it signed still valid, the last until " +
                                  pki::FormatUtc(last)});
  }
  return out;
}

namespace {

std::string Describe(const TrustAnchor& a) {
  return a.certificate.Subject() + "\n#   " + a.why + "\n#   serial " +
         HexUpper(a.certificate.SerialBytes(), "") + ", valid until " +
         pki::FormatUtc(a.certificate.not_after()) + "\n#   SHA-256 " +
         HexUpper(a.certificate.Fingerprint(pki::Digest::kSha256), ":");
}

}  // namespace

std::string FormatTrustExport(const TrustExport& anchors, ExportFormat format) {
  std::string out;
  switch (format) {
    case ExportFormat::kRadius:
      out +=
          "# opencapf trust export for FreeRADIUS (EAP-TLS): the CA certificates phones' LSCs\n"
          "# chain to. Use as the eap module's tls-config ca_file, with nothing else in it, so\n"
          "# that only opencapf LSCs are accepted; see docs/head-ends.md.\n";
      for (const auto& a : anchors.anchors)
        out += "\n# " + Describe(a) + "\n" + a.certificate.ToPem();
      break;
    case ExportFormat::kOcserv:
      for (const auto& a : anchors.anchors) out += a.certificate.ToPem();
      break;
    case ExportFormat::kPem:
      for (const auto& a : anchors.anchors) out += a.certificate.ToPem();
      break;
    case ExportFormat::kAsa: {
      out +=
          "! opencapf trust export for Cisco ASA (AnyConnect phone VPN): one trustpoint per\n"
          "! CA certificate the phones' LSCs chain to. Paste in configuration mode; answer\n"
          "! 'yes' when the ASA asks whether to accept each certificate. See docs/head-ends.md.\n";
      int n = 0;
      for (const auto& a : anchors.anchors) {
        const std::string tp = "OPENCAPF-CA-" + std::to_string(++n);
        std::string why = a.why;
        out += "!\n! " + a.certificate.Subject() + "\n!   " + why + "\n!   SHA-256 " +
               HexUpper(a.certificate.Fingerprint(pki::Digest::kSha256), ":") + "\n";
        out += "crypto ca trustpoint " + tp + "\n enrollment terminal\nexit\n";
        out += "crypto ca authenticate " + tp + "\n" + a.certificate.ToPem() + "quit\n";
      }
      break;
    }
  }
  return out;
}

std::filesystem::path CrlFileBeside(const std::filesystem::path& ca_file) {
  std::string stem = ca_file.stem().string();
  if (stem.empty() || stem == "." || stem == "..") stem = "opencapf-ca";
  return ca_file.parent_path() / (stem + "-crl.pem");
}

std::string OcservConfigLines(const std::string& ca_file, const std::string& crl_file) {
  return "auth = \"certificate\"\n"
         "ca-cert = " +
         ca_file +
         "\n"
         "crl = " +
         crl_file +
         "\n"
         "cert-user-oid = 2.5.4.3\n";
}

}  // namespace opencapf::service
