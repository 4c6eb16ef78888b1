#pragma once

// What an 802.1X (RADIUS) or VPN head-end must trust to accept opencapf's LSCs — and only them:
// the current CAPF certificate, earlier CAPF certificates that still vouch for valid LSCs, and
// the third-party chain above the CAPF certificate when a CA signed it.

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

}  // namespace opencapf::service
