#pragma once

// What every Store backend decides the same way, whatever its SQL: how a name is looked up, how
// many problems one error lists, what a device write and a trust write must satisfy before any
// statement runs, and the messages for them. The SQLite and PostgreSQL stores call these so the
// two cannot drift apart.

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/device.h"
#include "store/store.h"
#include "store/trusted_certificate.h"

namespace opencapf::store::rules {

/// Where each certificate of a device is kept: the `slot` column names the member.
struct Slot {
  std::string_view name;
  std::optional<StoredCertificate> Device::*member;
};
inline constexpr Slot kSlots[] = {
    {"lsc", &Device::lsc},
    {"pending-lsc", &Device::pending_lsc},
    {"mic", &Device::mic},
};
/// The slot called `name`, or null.
const Slot* FindSlot(std::string_view name);

/// The name as stored: canonical when it is a valid name, as given otherwise (finds nothing).
std::string StoredName(std::string_view name);

/// Up to `max` items joined with "; ", then "and N more".
std::string JoinSome(const std::vector<std::string>& items, std::size_t max = 20);

/// Checks a Save before anything is written: the device is valid and the event, if it names a
/// device, names this one.
Status CheckSave(const Device& device, const std::optional<Event>& event);

/// Checks an AddAll before anything is written: every device valid, no name twice.
Status CheckAddAll(const std::vector<Device>& devices);
/// "adding device X" or "importing N devices".
std::string AddAllDoing(const std::vector<Device>& devices);
/// The refusal when some of the names are taken already.
Error AlreadyExist(const std::vector<Device>& devices, const std::vector<std::string>& existing);
/// The refusal when a Save's UPDATE matched no row: `stored` is the version found, if any.
Error NotSaved(const Device& device, std::optional<std::int64_t> stored);

/// "<sha256> (<subject>)", how messages name a trusted certificate.
std::string Describe(const TrustedCertificate& entry);
/// The stronger of two changes (added > updated > unchanged).
TrustChange Combine(TrustChange a, TrustChange b);

/// What ReplaceServiceTrusted keeps and replaces, checked: every entry valid, no SHA-256 twice.
struct ServiceSet {
  std::set<std::string> keep;     ///< SHA-256s of the entries
  std::set<std::uint16_t> roles;  ///< every role they hold
  /// True when a held service certificate `sha256` with `held_roles` is replaced by the set.
  bool Replaces(const std::string& sha256, const std::vector<std::uint16_t>& held_roles) const;
};
Result<ServiceSet> CheckServiceSet(const std::vector<TrustedCertificate>& entries);

/// A full SHA-256 for FindTrusted, normalised, or why it is not one.
Result<std::string> FullSha256(std::string_view sha256);
/// A prefix for RemoveTrusted (at least 8 hex digits), normalised, or why it is not one.
Result<std::string> Sha256Prefix(std::string_view sha256);
/// RemoveTrusted's refusal when `found` (what matched `key`) is not exactly one entry.
Error NotOneMatch(const std::string& key, const std::vector<TrustedCertificate>& found);

}  // namespace opencapf::store::rules
