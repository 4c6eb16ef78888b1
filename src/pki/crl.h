#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"

namespace opencapf::pki {

/// One revoked certificate in a CRL.
struct CrlEntry {
  Bytes serial;  ///< unsigned big-endian, as Certificate::SerialBytes()
  std::time_t revoked_at = 0;
  int reason = 0;  ///< RFC 5280 CRLReason; 0 (unspecified) is written without the extension
};

/// What a CRL says besides its entries.
struct CrlProfile {
  std::time_t this_update = 0;
  std::time_t next_update = 0;
  std::uint64_t number = 0;  ///< cRLNumber: must grow from one CRL of an issuer to the next
};

/// A signed X.509 v2 CRL.
struct Crl {
  Bytes der;
  std::string ToPem() const;
};

/// Builds and signs (SHA-256) a CRL of `issuer`, with its authorityKeyIdentifier (a head-end
/// that trusts several CAPF certificates of one name picks the right CRL by it) and cRLNumber.
/// The key must be the issuer's.
Result<Crl> BuildCrl(const Certificate& issuer, const PrivateKey& issuer_key,
                     const std::vector<CrlEntry>& entries, const CrlProfile& profile);

/// Whether `issuer`'s key signed `certificate` (its issuer name matching is not enough: a
/// regenerated CAPF certificate keeps its name).
bool SignedBy(const Certificate& certificate, const Certificate& issuer);

}  // namespace opencapf::pki
