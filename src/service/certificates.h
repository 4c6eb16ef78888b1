#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "pki/private_key.h"
#include "service/data_dir.h"

namespace opencapf::service {

/// The service certificates by name, in the order `cert list` shows them.
const std::vector<std::string>& ServiceCertificateNames();

/// Replaces a service certificate with a new self-signed one (same subject, a fresh key of
/// `key` or of the old key's kind, `days` of validity). For CAPF the old certificate is kept in
/// certs/previous/ as a trusted issuer: LSCs it signed keep authenticating phones. Writes the key
/// (0600) before the certificate, so a reader never pairs a new certificate with an old key for
/// long; a running server reloads both together. Returns the new identity.
Result<Identity> RegenerateCertificate(const DataDir& dir, const std::string& name,
                                       std::optional<pki::KeySpec> key, int days,
                                       const Clock& clock);

/// Earlier CAPF certificates kept as issuers (certs/previous/capf-*.pem), oldest first.
Result<std::vector<pki::Certificate>> PreviousCapfCertificates(const DataDir& dir);

/// A fingerprint of every certificate and key file under certs/: changes whenever one does.
std::string CertificateFilesFingerprint(const DataDir& dir);

}  // namespace opencapf::service
