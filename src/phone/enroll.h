#pragma once

// `opencapf phone enroll`: what a phone does to get an LSC, in the order it does it, showing
// the status messages the phone shows. Nothing here knows which CAPF server it talks to: the
// steps are the phone's (TFTP, ITL, configuration file, CAPF over TLS pinned to the ITL).
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "capf/phone_session.h"
#include "phone/address.h"
#include "tftp/client.h"

namespace opencapf::phone {

/// The phone's status messages (Settings > Status > Status Messages, and the security menu).
inline constexpr const char* kLscPending = "LSC: Pending";
inline constexpr const char* kLscInstalled = "LSC: Installed";
inline constexpr const char* kLscNotInstalled = "LSC: Not Installed";
inline constexpr const char* kLscFailed = "LSC: Failed";
inline constexpr const char* kLscConnectionFailed = "LSC: Connection failed";
inline constexpr const char* kLscOperationPending = "LSC: Operation Pending";
inline constexpr const char* kNoValidCapf = "No valid CAPF server";
inline constexpr const char* kTrustListUpdateFailed = "Trust List Update Failed";
inline constexpr const char* kTftpTimeout = "TFTP Timeout";
inline constexpr const char* kTftpError = "TFTP Error";

/// Exit codes of `opencapf phone enroll` (docs/phone.md).
enum EnrollExit : int {
  kEnrollDone = 0,              ///< the operation CAPF asked for completed (LSC installed, ...)
  kEnrollFailed = 1,            ///< LSC: Failed: CAPF refused (END_SESSION 7 or 9)
  kEnrollUsage = 2,             ///< a flag value or file the simulator cannot use
  kEnrollNoCapf = 3,            ///< No valid CAPF server: no trusted ITL with a CAPF record
  kEnrollConnectionFailed = 4,  ///< LSC: Connection failed: resolve, connect, TLS, pinning
  kEnrollItlRefused = 5,        ///< the ITL was refused and the phone had none to fall back on
  kEnrollPending = 6,           ///< LSC: Operation Pending: the session broke off or timed out
  kEnrollNothingToDo = 7,       ///< CAPF had no operation scheduled for this phone
  kEnrollTftp = 8,              ///< TFTP unreachable and no ITL held from before
};

struct EnrollOptions {
  std::string device;  ///< "SEP001122334455" (already normalised)
  HostPort tftp;
  /// The TFTP servers to try next, in order, when one does not answer — as a phone does with
  /// the list DHCP option 150 gives it. The one that answers serves the rest of the run.
  std::vector<HostPort> more_tftp;
  /// The HTTP provisioning port on the TFTP server's host: each file is asked there first, as
  /// current phones do, then over TFTP. nullopt: TFTP only.
  std::optional<std::uint16_t> http_port = 6970;
  /// Where CAPF is, instead of what the configuration file says.
  std::optional<HostPort> capf;
  /// Where the phone keeps its ITL, LSC and MIC; none: a factory-fresh phone that forgets.
  std::optional<std::filesystem::path> state;
  /// What the user types when the configuration asks for an authentication string.
  std::optional<std::string> auth_string;
  /// The phone's manufacturing certificate and key (kept in the state once given).
  std::optional<capf::HeldCertificate> mic;
  /// Bounds each wait: a TFTP download, the connect, the handshake, each CAPF message.
  std::chrono::seconds timeout{30};
  /// For tests: how the phone behaves in the CAPF session.
  capf::PhoneScript script;
};

/// One line of the phone's output: a status message, or a log line saying what it did.
struct EnrollLine {
  bool status = false;
  std::string text;
};

struct EnrollResult {
  int exit_code = kEnrollDone;
  std::vector<std::string> status_messages;
  std::optional<pki::Certificate> lsc;  ///< the LSC installed in this run
};

/// Runs the phone's enrollment on an io_context of its own, printing as it goes.
EnrollResult Enroll(const EnrollOptions& options, const std::function<void(const EnrollLine&)>& out,
                    const Clock& clock);

}  // namespace opencapf::phone
