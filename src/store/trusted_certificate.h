#pragma once

// The trust store TVS answers from: certificates a phone may trust although its ITL does not
// list them, each with the roles it is trusted for and how long a phone may cache the answer.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace opencapf::store {

/// How long a phone may cache a "valid" answer when nobody says otherwise: one day.
inline constexpr std::uint32_t kDefaultTrustTtl = 86400;

/// Who put a certificate in the trust store.
enum class TrustSource {
  kService,  ///< opencapf's own CallManager/TFTP, CAPF and TVS certificates (init and serve)
  kAdmin,    ///< `opencapf trust add`
};

/// "service", "admin".
std::string_view ToText(TrustSource source);
Result<TrustSource> ParseTrustSource(std::string_view text);

/// One trusted certificate.
struct TrustedCertificate {
  /// Lowercase hex SHA-256 of `der` (64 characters): the key phones' questions are matched by.
  std::string sha256{};
  Bytes der{};
  std::string subject{};  ///< as pki::Certificate::Subject() writes it, for lists and logs
  std::string issuer{};
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  /// ITL role codes (tlv::Role): 1 CCM, 2 CCM+TFTP, 3 TFTP, 4 CAPF, 21 TVS, ... Each fits in a
  /// byte (TVS sends one byte per role); at least one.
  std::vector<std::uint16_t> roles{};
  std::uint32_t ttl = kDefaultTrustTtl;  ///< seconds a phone may cache a "valid" answer
  TrustSource source = TrustSource::kAdmin;
  std::time_t added = 0;  ///< set by the store when first added; ignored when writing

  bool operator==(const TrustedCertificate&) const = default;
};

/// Checks what the store relies on: a 64-digit lowercase hex SHA-256, a certificate, at least
/// one role, no role above 255 and none twice. Does not recompute the hash (the store knows no
/// cryptography; tvs::MakeTrusted fills it from the certificate).
Status Validate(const TrustedCertificate& entry);

/// A SHA-256 (or a prefix of one) as given on a command line, in the stored spelling:
/// lowercase, ':' and ' ' separators dropped. Fails for anything but hex digits.
Result<std::string> NormalizeSha256(std::string_view text);

/// Roles as stored ("1,3"), and back.
std::string RolesToText(const std::vector<std::uint16_t>& roles);
Result<std::vector<std::uint16_t>> RolesFromText(std::string_view text);

}  // namespace opencapf::store
