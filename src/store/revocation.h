#pragma once

// Revoked LSCs: what `device revoke`, `device remove` and a successful CAPF delete session record,
// and what the CRLs (`opencapf trust crl`, `serve`) are built from.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace opencapf::store {

/// RFC 5280 CRLReason values opencapf writes.
enum class RevocationReason {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
};

/// "unspecified", "key-compromise", "affiliation-changed", "superseded",
/// "cessation-of-operation".
std::string_view ToText(RevocationReason reason);
/// The spellings above, in that order: the choices the manual and the shell completion offer.
std::vector<std::string> RevocationReasonChoices();
/// Accepts the spellings above in any case, with '_' or ' ' for '-', and RFC 5280's
/// camelCase ("keyCompromise"); the error lists what is accepted.
Result<RevocationReason> ParseRevocationReason(std::string_view text);

/// One revoked certificate.
struct Revocation {
  std::int64_t id = 0;       ///< assigned by the store
  std::string serial_hex{};  ///< upper-case hex, no separators (as StoredCertificate)
  std::string issuer{};      ///< the issuer's name, as pki::Certificate::Issuer() writes it
  std::string device{};      ///< the device it was issued to
  RevocationReason reason = RevocationReason::kUnspecified;
  std::time_t revoked_at = 0;  ///< set by the store from its clock
  std::time_t not_after = 0;   ///< the certificate's own end: a CRL may drop it after that
  /// The certificate itself, so a CRL builder can tell which of several CAPF keys with the same
  /// name signed it (a regenerated CAPF certificate keeps its name).
  std::string pem{};

  bool operator==(const Revocation&) const = default;
};

}  // namespace opencapf::store
