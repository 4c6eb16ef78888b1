#pragma once

// What the administration server keeps in the store (schema version 4): the administrator's
// password hash, the API tokens (their hashes; a token itself is shown once and never stored)
// and the audit log of every change made through it or the CLI's admin commands.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace opencapf::store {

/// An API token as stored: its name and the SHA-256 of the token (lowercase hex).
struct ApiToken {
  std::string name{};
  std::string sha256{};
  std::time_t created = 0;  ///< set by the store
  std::optional<std::time_t> last_used{};

  bool operator==(const ApiToken&) const = default;
};

/// One change, as the audit log keeps it: who did what to which thing, when, from where.
struct AuditEntry {
  std::int64_t id = 0;   ///< assigned by the store
  std::time_t at = 0;    ///< 0 means "now" by the store's clock
  std::string actor{};   ///< "admin (session)", "token ci-script", "cli"
  std::string peer{};    ///< the client's address, "127.0.0.1"; empty for the CLI
  std::string action{};  ///< "device.create", "device.update", "login.failed", ...
  std::string target{};  ///< "SEP001122334455", "capf", ...
  std::string detail{};  ///< what changed, in words (never a secret)

  bool operator==(const AuditEntry&) const = default;
};

}  // namespace opencapf::store
