#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "pki/public_key.h"

namespace opencapf::pki {

/// What a new certificate should say. Subject attributes are written in the order given.
struct CertificateProfile {
  std::vector<std::pair<std::string, std::string>> subject;  ///< {"CN", "CAPF-1a2b3c4d"}, ...
  std::time_t not_before = 0;                                ///< 0: now minus five minutes
  int days = 365 * 5;
  std::time_t not_after = 0;  ///< when set, overrides days
  bool ca = false;
  std::optional<int> path_length;               ///< with ca: basicConstraints pathlen
  std::vector<std::string> key_usage;           ///< "digitalSignature", "keyCertSign", ...
  std::vector<std::string> extended_key_usage;  ///< "serverAuth", "clientAuth", ...
  std::vector<std::string> subject_alt_names;   ///< "DNS:host.example", "IP:127.0.0.1", ...
  std::vector<std::string> ocsp_urls;           ///< authorityInfoAccess OCSP URIs
  std::vector<std::string> crl_urls;            ///< cRLDistributionPoints URIs
  Digest digest = Digest::kSha256;
};

/// Parses "CN=pub1,OU=Lab,O=Example" into ordered attributes; an empty or malformed text fails.
Result<std::vector<std::pair<std::string, std::string>>> ParseSubject(std::string_view text);

/// Issues a certificate for `subject_key` under `issuer` (signed with `issuer_key`); with no
/// issuer the certificate is self-signed. The serial is 16 random bytes, always positive.
Result<Certificate> IssueCertificate(const CertificateProfile& profile, EVP_PKEY* subject_key,
                                     const PrivateKey& issuer_key,
                                     const Certificate* issuer = nullptr);
/// The same for a key parsed by ParseSubjectPublicKeyInfo: its SubjectPublicKeyInfo is written
/// from its parts and the certificate is returned as built (Certificate::FromSigned), so
/// issuing one decodes and encodes no key (the CAPF hot path).
Result<Certificate> IssueCertificate(const CertificateProfile& profile,
                                     const PublicKey& subject_key, const PrivateKey& issuer_key,
                                     const Certificate* issuer);

/// Convenience: a new key and a self-signed certificate for it.
struct KeyAndCertificate {
  PrivateKey key;
  Certificate certificate;
};
Result<KeyAndCertificate> SelfSigned(const KeySpec& spec, const CertificateProfile& profile);

}  // namespace opencapf::pki
