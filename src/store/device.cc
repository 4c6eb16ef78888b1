#include "store/device.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "store/time_text.h"

namespace opencapf::store {

namespace {

/// One enum value with its CLI spelling and its display text.
template <typename E>
struct Spelling {
  E value;
  std::string_view text;
  std::string_view display;
};

constexpr std::array<Spelling<Operation>, 4> kOperations = {{
    {Operation::kNone, "none", "No Pending Operation"},
    {Operation::kInstall, "install", "Install/Upgrade"},
    {Operation::kDelete, "delete", "Delete"},
    {Operation::kTroubleshoot, "troubleshoot", "Troubleshoot"},
}};

constexpr std::array<Spelling<AuthMode>, 4> kAuthModes = {{
    {AuthMode::kNullString, "null-string", "By Null String"},
    {AuthMode::kAuthString, "auth-string", "By Authentication String"},
    {AuthMode::kExistingLsc, "existing-lsc", "By Existing Certificate (Precedence to LSC)"},
    {AuthMode::kExistingMic, "existing-mic", "By Existing Certificate (Precedence to MIC)"},
}};

constexpr std::array<Spelling<KeyOrder>, 3> kKeyOrders = {{
    {KeyOrder::kRsa, "rsa", "RSA Only"},
    {KeyOrder::kEc, "ec", "EC Only"},
    {KeyOrder::kEcPreferredRsaBackup, "ec-preferred-rsa-backup", "EC Preferred, RSA Backup"},
}};

constexpr std::array<Spelling<LscStatus>, 3> kLscStatuses = {{
    {LscStatus::kInstalled, "installed", "Installed"},
    {LscStatus::kNotInstalled, "not-installed", "Not Installed"},
    {LscStatus::kPending, "pending", "Pending"},
}};

template <typename E, std::size_t N>
const Spelling<E>& Find(const std::array<Spelling<E>, N>& table, E value) {
  for (const auto& s : table) {
    if (s.value == value) return s;
  }
  return table[0];  // unreachable for a valid enum value
}

/// Lower case, with '_' and ' ' turned into '-', surrounding blanks dropped.
std::string Canonical(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  std::string out;
  for (char c : text) {
    if (c == '_' || c == ' ') {
      out += '-';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

template <typename E, std::size_t N>
Result<E> ParseSpelling(const std::array<Spelling<E>, N>& table, std::string_view what,
                        std::string_view text, bool accept_display) {
  std::string key = Canonical(text);
  for (const auto& s : table) {
    if (key == s.text) return s.value;
    if (accept_display && key == Canonical(s.display)) return s.value;
  }
  std::string accepted;
  for (const auto& s : table) {
    if (!accepted.empty()) accepted += ", ";
    accepted += s.text;
  }
  return Fail(std::string(what) + " '" + std::string(text) + "' is not one of: " + accepted);
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool IsUserIdChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr std::array<int, 4> kRsaBits = {1024, 2048, 3072, 4096};
constexpr std::array<int, 3> kEcCurves = {256, 384, 521};

constexpr std::array<FailureReason, 7> kReasons = {
    FailureReason::kLate,
    FailureReason::kAuthenticationFailed,
    FailureReason::kKeyGenerationFailed,
    FailureReason::kIssueFailed,
    FailureReason::kPhoneRefused,
    FailureReason::kNoCertificate,
    FailureReason::kProtocolError,
};

/// Whether a failure reason can happen in an operation (key generation only in an install...).
bool Applies(Operation operation, FailureReason reason) {
  switch (reason) {
    case FailureReason::kKeyGenerationFailed:
    case FailureReason::kIssueFailed:
      return operation == Operation::kInstall;
    case FailureReason::kNoCertificate:
      return operation == Operation::kDelete || operation == Operation::kTroubleshoot;
    default:
      return true;
  }
}

std::string_view FailedPrefix(Operation operation) {
  switch (operation) {
    case Operation::kDelete:
      return "Delete Failed: ";
    case Operation::kTroubleshoot:
      return "Troubleshoot Failed: ";
    default:
      return "Upgrade Failed: ";
  }
}

}  // namespace

std::string_view ToText(Operation operation) { return Find(kOperations, operation).text; }
std::string_view ToText(AuthMode auth) { return Find(kAuthModes, auth).text; }
std::string_view ToText(KeyOrder order) { return Find(kKeyOrders, order).text; }
std::string_view ToText(LscStatus status) { return Find(kLscStatuses, status).text; }

std::string_view DisplayText(Operation operation) { return Find(kOperations, operation).display; }
std::string_view DisplayText(AuthMode auth) { return Find(kAuthModes, auth).display; }
std::string_view DisplayText(KeyOrder order) { return Find(kKeyOrders, order).display; }
std::string_view DisplayText(LscStatus status) { return Find(kLscStatuses, status).display; }

Result<Operation> ParseOperation(std::string_view text) {
  return ParseSpelling(kOperations, "operation", text, false);
}
Result<AuthMode> ParseAuthMode(std::string_view text) {
  return ParseSpelling(kAuthModes, "auth", text, false);
}
Result<KeyOrder> ParseKeyOrder(std::string_view text) {
  return ParseSpelling(kKeyOrders, "key_order", text, false);
}
Result<LscStatus> ParseLscStatus(std::string_view text) {
  return ParseSpelling(kLscStatuses, "lsc_status", text, true);
}

std::string_view OnOffText(bool on) { return on ? "on" : "off"; }

Result<bool> ParseEncryptedConfig(std::string_view text) {
  const std::string key = Canonical(text);
  for (std::string_view yes : {"on", "true", "yes", "1"}) {
    if (key == yes) return true;
  }
  for (std::string_view no : {"off", "false", "no", "0"}) {
    if (key == no) return false;
  }
  return Fail("encrypted_config '" + std::string(text) +
              "' is not one of: on, off (true, false, yes, no, 1 and 0 work too)");
}

std::string_view ReasonText(Operation operation, FailureReason reason) {
  switch (reason) {
    case FailureReason::kLate:
      return "User Initiated Request Late/Timedout";
    case FailureReason::kAuthenticationFailed:
      return "Authentication Failed";
    case FailureReason::kKeyGenerationFailed:
      return "Key Generation Failed";
    case FailureReason::kIssueFailed:
      return "Certificate Issue Failed";
    case FailureReason::kPhoneRefused:
      if (operation == Operation::kDelete) return "Phone Could Not Delete Certificate";
      if (operation == Operation::kTroubleshoot) return "Phone Could Not Send Certificate";
      return "Phone Could Not Store Certificate";
    case FailureReason::kNoCertificate:
      return "No Certificate On Phone";
    case FailureReason::kProtocolError:
      return "Protocol Error";
  }
  return "Unknown";
}

std::string FailedStatus(Operation operation, FailureReason reason) {
  std::string out(FailedPrefix(operation));
  out += ReasonText(operation, reason);
  return out;
}

std::string_view SuccessStatus(Operation operation) {
  switch (operation) {
    case Operation::kInstall:
      return kStatusUpgradeSuccess;
    case Operation::kDelete:
      return kStatusDeleteSuccess;
    case Operation::kTroubleshoot:
      return kStatusTroubleshootSuccess;
    case Operation::kNone:
      break;
  }
  return kStatusNone;
}

std::vector<std::string> AllOperationStatuses() {
  std::vector<std::string> out = {std::string(kStatusNone), std::string(kStatusPending)};
  for (Operation op : {Operation::kInstall, Operation::kDelete, Operation::kTroubleshoot}) {
    out.emplace_back(SuccessStatus(op));
  }
  for (Operation op : {Operation::kInstall, Operation::kDelete, Operation::kTroubleshoot}) {
    for (FailureReason reason : kReasons) {
      if (Applies(op, reason)) out.push_back(FailedStatus(op, reason));
    }
  }
  return out;
}

Result<std::string> NormalizeDeviceName(std::string_view name) {
  const std::string shown(name);
  if (name.empty()) {
    return Fail(
        "device name is empty; give SEP followed by the phone's 12-digit MAC address "
        "(e.g. SEP001122AABBCC), or CSF/BOT/TCT/TAB followed by a user id");
  }
  std::string prefix = Upper(name.substr(0, std::min<std::size_t>(3, name.size())));
  std::string_view rest = name.size() > 3 ? name.substr(3) : std::string_view();
  if (prefix == "SEP") {
    if (rest.size() != 12) {
      return Fail("device name '" + shown +
                  "': SEP must be followed by exactly 12 hex digits "
                  "(the MAC address without separators, e.g. SEP001122AABBCC), not " +
                  std::to_string(rest.size()) + " characters");
    }
    auto bad = std::find_if_not(rest.begin(), rest.end(), IsHex);
    if (bad != rest.end()) {
      return Fail("device name '" + shown + "': '" + std::string(1, *bad) +
                  "' is not a hex digit; SEP is followed by the MAC address, digits 0-9 and "
                  "letters A-F");
    }
    return Upper(name);
  }
  if (prefix == "CSF" || prefix == "BOT" || prefix == "TCT" || prefix == "TAB") {
    if (rest.empty() || rest.size() > kMaxSoftphoneUserId) {
      return Fail("device name '" + shown + "': " + prefix +
                  " must be followed by a user id of 1-" + std::to_string(kMaxSoftphoneUserId) +
                  " characters (device names are at most 15 characters), e.g. " + prefix +
                  "JSMITH");
    }
    auto bad = std::find_if_not(rest.begin(), rest.end(), IsUserIdChar);
    if (bad != rest.end()) {
      return Fail("device name '" + shown + "': character '" + std::string(1, *bad) +
                  "' is not allowed; a user id after " + prefix +
                  " holds only letters, digits, '.', '_' and '-'");
    }
    return Upper(name);
  }
  return Fail("device name '" + shown +
              "' is not a phone name: use SEP followed by the 12-digit MAC address "
              "(e.g. SEP001122AABBCC), or CSF, BOT, TCT or TAB followed by a user id "
              "(e.g. CSFJSMITH)");
}

std::vector<std::string> Problems(const Device& d) {
  std::vector<std::string> out;
  auto name = NormalizeDeviceName(d.name);
  if (!name.ok()) {
    out.push_back(name.message());
  } else if (*name != d.name) {
    out.push_back("device name '" + d.name + "' must be written in upper case: " + *name);
  }

  const bool scheduled = d.operation != Operation::kNone;
  if (d.auth == AuthMode::kAuthString) {
    if (!d.auth_string && scheduled) {
      out.push_back(
          "auth auth-string needs an auth_string of 4-10 digits (the phone's user "
          "types it); give one, e.g. 12345678, or choose another auth mode");
    }
  } else if (d.auth_string) {
    out.push_back("auth_string is only used with auth auth-string (this device has auth " +
                  std::string(ToText(d.auth)) + "); remove it, or set auth to auth-string");
  }
  if (d.auth_string) {
    const std::string& s = *d.auth_string;
    if (s.size() < 4 || s.size() > 10 || !AllDigits(s)) {
      out.push_back("auth_string '" + s + "' must be 4-10 digits (0-9), e.g. 12345678");
    }
  }

  if (std::find(kRsaBits.begin(), kRsaBits.end(), d.rsa_bits) == kRsaBits.end()) {
    out.push_back("rsa_bits " + std::to_string(d.rsa_bits) +
                  " is not a key size phones generate; use 1024, 2048, 3072 or 4096");
  }
  if (std::find(kEcCurves.begin(), kEcCurves.end(), d.ec_curve) == kEcCurves.end()) {
    out.push_back("ec_curve " + std::to_string(d.ec_curve) +
                  " is not a supported curve; use 256, 384 or 521 (P-256, P-384, P-521)");
  }
  if (scheduled && !d.complete_by) {
    out.push_back("operation " + std::string(ToText(d.operation)) +
                  " needs complete_by (Operation Completes By), e.g. +1h or "
                  "2026-12-01T10:00:00Z");
  }
  if (d.lsc_status == LscStatus::kInstalled && !d.lsc) {
    out.push_back("lsc_status installed needs the installed certificate (lsc), which is missing");
  }
  return out;
}

Status Validate(const Device& device) {
  std::vector<std::string> problems = Problems(device);
  if (problems.empty()) return Status::Ok();
  std::string message = device.name.empty() ? std::string("device") : device.name;
  message += ": ";
  for (std::size_t i = 0; i < problems.size(); ++i) {
    if (i > 0) message += "; ";
    message += problems[i];
  }
  return Fail(std::move(message));
}

Status CheckScheduleAhead(const Device& device, std::time_t now) {
  if (device.operation == Operation::kNone || !device.complete_by) return Status::Ok();
  if (*device.complete_by > now) return Status::Ok();
  return Fail("complete_by " + FormatTime(*device.complete_by) + " has already passed (now " +
              FormatTime(now) + "); the phone would only get \"" +
              FailedStatus(device.operation, FailureReason::kLate) +
              "\"; give a time at least an hour ahead, e.g. +1h");
}

namespace {

template <typename E, std::size_t N>
std::vector<std::string> SpelledChoices(const std::array<Spelling<E>, N>& table) {
  std::vector<std::string> out;
  for (const auto& s : table) out.emplace_back(s.text);
  return out;
}

template <std::size_t N>
std::vector<std::string> NumberChoices(const std::array<int, N>& numbers) {
  std::vector<std::string> out;
  for (int n : numbers) out.push_back(std::to_string(n));
  return out;
}

}  // namespace

std::vector<std::string> FieldChoices(std::string_view field) {
  if (field == "operation") return SpelledChoices(kOperations);
  if (field == "auth") return SpelledChoices(kAuthModes);
  if (field == "key_order") return SpelledChoices(kKeyOrders);
  if (field == "lsc_status") return SpelledChoices(kLscStatuses);
  if (field == "rsa_bits") return NumberChoices(kRsaBits);
  if (field == "ec_curve") return NumberChoices(kEcCurves);
  if (field == "encrypted_config")
    return {std::string(OnOffText(true)), std::string(OnOffText(false))};
  return {};
}

}  // namespace opencapf::store
