#pragma once

// What an 802.1X (RADIUS) or VPN head-end must trust to accept opencapf's LSCs — and only them:
// the current CAPF certificate, earlier CAPF certificates that still vouch for valid LSCs, and
// the third-party chain above the CAPF certificate when a CA signed it.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "service/data_dir.h"
#include "store/store.h"

namespace opencapf::service {

/// The head-end forms `trust export --for` writes.
enum class ExportFormat { kRadius, kAsa, kOcserv, kPem };
/// "radius", "asa", "ocserv", "pem"; the error lists them.
Result<ExportFormat> ParseExportFormat(std::string_view text);

/// One certificate to trust, and why.
struct TrustAnchor {
  pki::Certificate certificate;
  std::string why;
};

struct TrustExport {
  std::vector<TrustAnchor> anchors;
  /// Earlier CAPF certificates left out, and why ("no valid LSC it signed remains").
  std::vector<TrustAnchor> left_out;
};

/// Collects the anchors: the current CAPF certificate; every earlier one that is unexpired and
/// signed an LSC (installed or issued) that is unexpired and not revoked; the CAPF chain.
Result<TrustExport> CollectTrustAnchors(const DataDir& dir, store::Store& store,
                                        const Clock& clock);

/// The export in the form the head-end reads: PEM with comments for FreeRADIUS, an ASA
/// configuration snippet, PEM for ocserv and plain PEM.
std::string FormatTrustExport(const TrustExport& anchors, ExportFormat format);

/// Where `trust export --out FILE` puts the CRLs when it writes them beside the CA file (always
/// for ocserv, unless --crl-out names another file): FILE's directory, FILE's name without its
/// extension followed by "-crl.pem" ("/etc/ocserv/opencapf-ca.pem" gives
/// "/etc/ocserv/opencapf-ca-crl.pem"). Never FILE itself.
std::filesystem::path CrlFileBeside(const std::filesystem::path& ca_file);

/// The ocserv.conf lines that make ocserv accept exactly the exported LSCs: certificate
/// authentication, the CA file and the CRL file named as given, and the user name taken from the
/// LSC's CN (the phone's device name). One directive a line, ready to paste.
std::string OcservConfigLines(const std::string& ca_file, const std::string& crl_file);

}  // namespace opencapf::service
