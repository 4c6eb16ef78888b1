#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace opencapf::store {

// ---------------------------------------------------------------------------------------------
// The fields of CUCM's "CAPF Information" section, one enum each. `ToText` gives the spelling
// the CLI, the CSV import and the database use ("install", "ec-preferred-rsa-backup");
// `DisplayText` gives the words CUCM's administration page shows ("Install/Upgrade"). The
// `Parse...` functions accept the CLI spelling in any letter case, with '_' or ' ' in place of
// '-'; an error lists every accepted value.
// ---------------------------------------------------------------------------------------------

/// Certificate Operation: what the phone is to do the next time it reaches CAPF.
enum class Operation { kNone, kInstall, kDelete, kTroubleshoot };

/// Authentication Mode: how the phone proves who it is before CAPF acts.
enum class AuthMode {
  kNullString,   ///< "By Null String": no proof asked.
  kAuthString,   ///< "By Authentication String": the digits typed on the phone (single use).
  kExistingLsc,  ///< "By Existing Certificate (Precedence to LSC)": the LSC if any, else the MIC.
  kExistingMic,  ///< "By Existing Certificate (Precedence to MIC)": the MIC if any, else the LSC.
};

/// Key Order: which kind of key pair the phone generates.
enum class KeyOrder {
  kRsa,                   ///< "RSA Only"
  kEc,                    ///< "EC Only"
  kEcPreferredRsaBackup,  ///< "EC Preferred, RSA Backup": ask for EC; if the phone fails, RSA.
};

/// LSC Status as the administrator sees it.
enum class LscStatus { kInstalled, kNotInstalled, kPending };

/// "none", "install", "delete", "troubleshoot".
std::string_view ToText(Operation operation);
/// "null-string", "auth-string", "existing-lsc", "existing-mic".
std::string_view ToText(AuthMode auth);
/// "rsa", "ec", "ec-preferred-rsa-backup".
std::string_view ToText(KeyOrder order);
/// "installed", "not-installed", "pending".
std::string_view ToText(LscStatus status);

/// "No Pending Operation", "Install/Upgrade", "Delete", "Troubleshoot".
std::string_view DisplayText(Operation operation);
/// "By Null String", "By Authentication String", "By Existing Certificate (Precedence to LSC)",
/// "By Existing Certificate (Precedence to MIC)".
std::string_view DisplayText(AuthMode auth);
/// "RSA Only", "EC Only", "EC Preferred, RSA Backup".
std::string_view DisplayText(KeyOrder order);
/// "Installed", "Not Installed", "Pending".
std::string_view DisplayText(LscStatus status);

Result<Operation> ParseOperation(std::string_view text);
Result<AuthMode> ParseAuthMode(std::string_view text);
Result<KeyOrder> ParseKeyOrder(std::string_view text);
/// Also accepts the display text ("Not Installed").
Result<LscStatus> ParseLscStatus(std::string_view text);

/// Every value of a field as the CLI and the CSV spell it, by the field's CSV name (operation,
/// auth, key_order, rsa_bits, ec_curve, encrypted_config, lsc_status), in CUCM's order: the
/// choices the manual pages and the shell completion offer. Empty for any other name.
std::vector<std::string> FieldChoices(std::string_view field);

/// Encrypted Configuration as the CLI, the CSV and `device show` write it: "on" or "off".
std::string_view OnOffText(bool on);
/// Reads Encrypted Configuration: on, off, true, false, yes, no, 1 or 0, in any letter case,
/// blanks around it ignored. The error names the field as the CSV does (encrypted_config).
Result<bool> ParseEncryptedConfig(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Certificate Operation Status, in CUCM's words. A status is either one of the fixed texts
// below or "<Upgrade|Delete|Troubleshoot> Failed: <reason>" with one of the reasons below.
// ("Upgrade" is CUCM's word for install: installing over an existing LSC upgrades it.)
// ---------------------------------------------------------------------------------------------

/// Nothing has been scheduled or attempted yet.
inline constexpr std::string_view kStatusNone = "None";
/// An operation is scheduled and the phone has not yet completed it. A session that dies
/// half-way also leaves this status.
inline constexpr std::string_view kStatusPending = "Operation Pending";
inline constexpr std::string_view kStatusUpgradeSuccess = "Upgrade Success";
inline constexpr std::string_view kStatusDeleteSuccess = "Delete Success";
inline constexpr std::string_view kStatusTroubleshootSuccess = "Troubleshoot Success";

/// Why an operation failed; the text after "... Failed: ".
enum class FailureReason {
  /// The phone came after Operation Completes By: "User Initiated Request Late/Timedout".
  kLate,
  /// The authentication string or existing certificate did not prove the phone's identity:
  /// "Authentication Failed".
  kAuthenticationFailed,
  /// The phone reported it could not generate the key pair: "Key Generation Failed".
  kKeyGenerationFailed,
  /// CAPF could not sign the certificate: "Certificate Issue Failed".
  kIssueFailed,
  /// The phone answered STORE_CERT (or DELETE_CERT) with a failure: "Phone Could Not Store
  /// Certificate" / "Phone Could Not Delete Certificate" (use FailedStatus to get the right one).
  kPhoneRefused,
  /// Troubleshoot or delete found no certificate on the phone: "No Certificate On Phone".
  kNoCertificate,
  /// The phone's messages broke the protocol (wrong order, undecodable): "Protocol Error".
  kProtocolError,
};

/// The reason text of a failure, for the operation it happened in.
std::string_view ReasonText(Operation operation, FailureReason reason);

/// "Upgrade Failed: User Initiated Request Late/Timedout", "Delete Failed: Authentication
/// Failed", ... `operation` must not be kNone (it is treated as install).
std::string FailedStatus(Operation operation, FailureReason reason);

/// "Upgrade Success", "Delete Success", "Troubleshoot Success" (kNone gives "None").
std::string_view SuccessStatus(Operation operation);

/// The failures the troubleshooting procedure names, spelled out for callers and tests.
inline constexpr std::string_view kStatusUpgradeLate =
    "Upgrade Failed: User Initiated Request Late/Timedout";
inline constexpr std::string_view kStatusUpgradeAuthenticationFailed =
    "Upgrade Failed: Authentication Failed";
inline constexpr std::string_view kStatusUpgradeKeyGenerationFailed =
    "Upgrade Failed: Key Generation Failed";

/// Every status text this build can write, in a stable order (for help texts and filters).
std::vector<std::string> AllOperationStatuses();

// ---------------------------------------------------------------------------------------------
// The device.
// ---------------------------------------------------------------------------------------------

/// A certificate as the store keeps it: the PEM, plus what reports show without parsing it.
struct StoredCertificate {
  std::string pem{};
  std::string serial_hex{};  ///< upper-case hex, no separators
  std::string subject{};     ///< as pki::Certificate::Subject() writes it
  std::string issuer{};
  std::time_t not_before = 0;
  std::time_t not_after = 0;

  bool operator==(const StoredCertificate&) const = default;
};

/// One phone (or softphone) and its CAPF Information, as CUCM's device page holds it.
struct Device {
  /// "SEP" + 12 upper-case hex digits, or a softphone name; see NormalizeDeviceName.
  std::string name{};
  Operation operation = Operation::kNone;
  AuthMode auth = AuthMode::kNullString;
  /// The digits for AuthMode::kAuthString; single use: cleared once a session has used it.
  std::optional<std::string> auth_string{};
  KeyOrder key_order = KeyOrder::kRsa;
  int rsa_bits = 2048;
  int ec_curve = 256;  ///< 256, 384 or 521 (P-256, P-384, P-521)
  /// Operation Completes By; a phone that connects later is refused ("Late/Timedout").
  std::optional<std::time_t> complete_by{};
  /// Certificate Operation Status: kStatusNone, kStatusPending, a success or FailedStatus().
  std::string operation_status = std::string(kStatusNone);
  LscStatus lsc_status = LscStatus::kNotInstalled;
  /// The LSC the phone confirmed it stored (or that troubleshoot fetched from it).
  std::optional<StoredCertificate> lsc{};
  /// An LSC issued in a session that has not (yet) seen the phone's STORE_CERT_RESPONSE OK.
  std::optional<StoredCertificate> pending_lsc{};
  /// The manufacturing certificate last seen from this phone.
  std::optional<StoredCertificate> mic{};
  /// "Encrypted Configuration" (CUCM's "Encrypted TFTP Configuration"): the phone's
  /// SEP<MAC>.cnf.xml is served only encrypted to its RSA LSC (its MIC before it has one).
  bool encrypted_config = false;
  /// Set by the store from its clock; what callers put here is ignored.
  std::time_t created = 0;
  std::time_t updated = 0;
  /// Optimistic concurrency: the stored version this copy was read at. The store sets 1 on
  /// Add and adds 1 on every Save; a Save of a stale copy is refused.
  std::int64_t version = 0;

  bool operator==(const Device&) const = default;
};

// ---------------------------------------------------------------------------------------------
// Validation. Messages name the field as the CLI and CSV spell it and say what to type.
// ---------------------------------------------------------------------------------------------

/// The longest user id after a softphone prefix: CUCM device names are at most 15 characters.
inline constexpr std::size_t kMaxSoftphoneUserId = 12;

/// Checks a device name and returns it in canonical (upper-case) form. Accepted:
///  - "SEP" + 12 hex digits (the phone's MAC address), any letter case: "sep00112233aabb" gives
///    "SEP00112233AABB";
///  - "CSF", "BOT", "TCT" or "TAB" (Jabber on a PC, Android, iPhone, iPad) + a user id of 1-12
///    letters, digits, '.', '_' or '-' (CUCM's 15-character device name limit), upper-cased as
///    CUCM does ("csfjsmith" gives "CSFJSMITH").
Result<std::string> NormalizeDeviceName(std::string_view name);

/// Every problem with `device`, each a sentence that says what to type instead; empty when
/// the device is valid. Rules:
///  - the name is valid and already canonical (see NormalizeDeviceName);
///  - with auth-string and a scheduled operation, auth_string is required; with any other
///    mode it must be absent. When present it is 4-10 digits;
///  - rsa_bits is 1024, 2048, 3072 or 4096; ec_curve is 256, 384 or 521;
///  - complete_by is set when operation is not none;
///  - lsc_status "installed" needs an lsc.
/// Whether complete_by is still ahead is not checked here (a passed deadline is a state a
/// device can be in); see CheckScheduleAhead.
std::vector<std::string> Problems(const Device& device);

/// Problems(device) joined with "; ", prefixed by the device name; OK when there are none.
Status Validate(const Device& device);

/// For a device being scheduled now: refuses a complete_by at or before `now`, since the
/// phone would only ever get "User Initiated Request Late/Timedout".
Status CheckScheduleAhead(const Device& device, std::time_t now);

}  // namespace opencapf::store
