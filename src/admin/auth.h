#pragma once

// Who may use the administration server, and how it knows: a login session (a random cookie
// the browser sends, with its own CSRF token for every form and every change the page's script
// makes) or an API token (`Authorization: Bearer ...`, from `opencapf admin token create`).
// Failed logins are counted per address and refused for a while after too many.

#include <chrono>
#include <cstddef>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/store.h"

namespace opencapf::admin {

/// The one administrator account's name (the password is `opencapf admin passwd`'s).
inline constexpr std::string_view kAdminUser = "admin";
/// The cookies the server sets.
inline constexpr std::string_view kSessionCookie = "opencapf_session";
inline constexpr std::string_view kLoginCsrfCookie = "opencapf_login_csrf";
/// The header the page's script sends its CSRF token in; forms send the field "csrf".
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";
inline constexpr std::string_view kCsrfField = "csrf";

/// Who made a request.
struct Principal {
  enum class Kind { kSession, kToken };
  Kind kind = Kind::kSession;
  std::string name;        ///< "admin", or the token's name
  std::string session_id;  ///< for a session: its cookie value
  std::string csrf;        ///< for a session: the token its forms must carry
  std::string peer;        ///< the client's address

  /// For the audit log: "admin" or "token ci-script".
  std::string Actor() const { return kind == Kind::kSession ? name : "token " + name; }
};

/// Login sessions, in memory (a restart logs everyone out). Safe from several threads.
class LoginSessions {
 public:
  LoginSessions(std::time_t idle_seconds, std::time_t max_seconds)
      : idle_(idle_seconds), max_(max_seconds) {}

  struct Session {
    std::string id;
    std::string csrf;
    std::string user;
    /// The SHA-256 of the password hash the session logged in with: a password changed since
    /// (by `opencapf admin passwd`, in any process) ends the session.
    std::string password_version;
    std::time_t created = 0;
    std::time_t last_seen = 0;
  };

  /// A new session for `user`, with fresh random id and CSRF token.
  Session Create(std::string_view user, std::string_view password_version, std::time_t now);
  /// The session with this id, when it has not ended (idle too long, too old, logged out);
  /// notes it as seen at `now`. Ids are compared in constant time.
  std::optional<Session> Find(std::string_view id, std::time_t now);
  /// Ends one session (logout).
  void End(std::string_view id);
  /// Ends every session (the password changed).
  void EndAll();
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::time_t idle_, max_;
  std::map<std::string, Session, std::less<>> sessions_;
};

/// Login attempts per client: after `attempts` failures within `window` seconds the client
/// must wait until the oldest of them is `window` old. An attempt is counted when it BEGINS
/// (and forgotten when it succeeds), so parallel requests cannot slip extra guesses past the
/// limit while their passwords are being checked. IPv6 clients are counted by their /64, the
/// block one host is usually given. At most kMaxClients are tracked; beyond that the oldest go.
/// Safe from several threads.
class LoginRateLimiter {
 public:
  static constexpr std::size_t kMaxClients = 10000;

  LoginRateLimiter(int attempts, std::time_t window) : attempts_(attempts), window_(window) {}

  /// 0 when `address` may try now (the attempt is counted as failed until Succeeded), else the
  /// seconds it must wait (nothing counted).
  std::time_t Begin(const std::string& address, std::time_t now);
  /// The attempt from `address` was right: its failures are forgotten.
  void Succeeded(const std::string& address);
  std::size_t clients() const;

  /// The key an address is counted under: itself for IPv4, its /64 for IPv6.
  static std::string ClientKey(const std::string& address);

 private:
  void Prune(std::time_t now);

  mutable std::mutex mu_;
  int attempts_;
  std::time_t window_;
  std::map<std::string, std::vector<std::time_t>> failures_;
};

/// The API token presented, checked against every stored token hash in constant time. On a
/// match returns the token's name (and notes its use, at most once a minute).
Result<std::optional<std::string>> CheckApiToken(store::Store& store, std::string_view token,
                                                 std::time_t now);

/// Creates a token named `name` (1-64 letters, digits, '.', '_' or '-'): its hash goes to the
/// store, the token itself is returned to be shown once ("ocf_" + 43 base64url characters).
Result<std::string> CreateApiToken(store::Store& store, std::string_view name);

/// Checks the password against the stored hash. No password set is an error saying how to set
/// one.
Result<bool> CheckAdminPassword(store::Store& store, std::string_view password);

/// A fingerprint of the stored password hash (empty when none is set): it changes whenever the
/// password does.
Result<std::string> AdminPasswordVersion(store::Store& store);

}  // namespace opencapf::admin
