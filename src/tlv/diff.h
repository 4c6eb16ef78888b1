#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tlv/trust_list.h"

namespace opencapf::tlv {

/// One difference between two trust lists.
struct Change {
  enum class Kind { kAdded, kRemoved, kChanged, kHeader };
  Kind kind = Kind::kChanged;
  std::string role;     ///< "CAPF", ... ; empty for header changes
  std::string subject;  ///< the record's subject, or the header field
  std::string before;   ///< SHA-1 of the old certificate, or the old header value
  std::string after;    ///< SHA-1 of the new certificate, or the new header value
  std::string detail;   ///< e.g. "now listed by hash only"
};

/// Compares two trust lists by role and certificate. Records are matched by role and subject;
/// the same pair with another certificate is a change. The timestamp and signature bytes are
/// not compared: every rebuild changes them.
std::vector<Change> Diff(const TrustList& a, const TrustList& b);

/// "+ CAPF CN=... (sha1 ...)" style lines, or "no differences".
std::string RenderDiff(const std::vector<Change>& changes);
nlohmann::json DiffJson(const std::vector<Change>& changes);

}  // namespace opencapf::tlv
