#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "pki/issuer.h"
#include "pki/private_key.h"

namespace opencapf::pki {

/// A PKCS#10 certificate signing request for a third-party CA: the profile's subject and, as
/// requested extensions, its basicConstraints, keyUsage and extendedKeyUsage (so the CA sees
/// what the certificate is for: a CAPF certificate must come back CA:TRUE with keyCertSign).
/// Signed with `key` (SHA-256). Returns the PEM ("-----BEGIN CERTIFICATE REQUEST-----").
Result<std::string> MakeCsr(const PrivateKey& key, const CertificateProfile& profile);

}  // namespace opencapf::pki
