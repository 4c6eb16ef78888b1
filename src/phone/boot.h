#pragma once

// `opencapf phone boot`: what a phone does after it has its LSC, each time it boots: its trust
// list, then its configuration — over HTTP on 6970 first and TFTP when that fails, each file as
// its ITL requires it (signed when the ITL lists a TFTP certificate) and, for a phone with an
// encrypted configuration, decrypted with its own key.
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "phone/address.h"
#include "phone/enroll.h"

namespace opencapf::phone {

/// The status messages a phone shows when a file fails its checks.
inline constexpr const char* kFileAuthError = "File auth error";
inline constexpr const char* kDecryptionFailed = "Encrypted config decryption failed";
inline constexpr const char* kConfigNotFound = "Configuration file not found";

/// Exit codes of `opencapf phone boot` (docs/phone.md).
enum BootExit : int {
  kBootDone = 0,            ///< the configuration was read (and decrypted, when encrypted)
  kBootUsage = 2,           ///< a flag value or state the simulator cannot use
  kBootTftp = 8,            ///< neither HTTP nor TFTP gave the ITL and none was held
  kBootItlRefused = 5,      ///< the ITL was refused and the phone held none
  kBootNoConfig = 9,        ///< no configuration file
  kBootAuthFailed = 10,     ///< a signed file did not verify with the ITL's TFTP certificate
  kBootDecryptFailed = 11,  ///< the encrypted configuration is not for this phone, or damaged
};

struct BootOptions {
  std::string device;  ///< "SEP001122334455"
  HostPort tftp;       ///< the TFTP server (DHCP option 150); HTTP is asked on the same host
  /// The HTTP provisioning port; nullopt: TFTP only (an older phone).
  std::optional<std::uint16_t> http_port = 6970;
  std::optional<std::filesystem::path> state;  ///< the ITL, LSC and MIC `phone enroll` kept
  /// The phone expects its configuration encrypted: a plain one is a failure.
  bool encrypted_config = false;
  std::chrono::seconds timeout{10};  ///< each download
};

struct BootResult {
  int exit_code = kBootDone;
  std::vector<std::string> status_messages;
  /// The configuration as the phone read it (decrypted when it was encrypted).
  std::optional<Bytes> config;
  bool signed_config = false;     ///< it came as NAME.cnf.xml.sgn, verified
  bool encrypted = false;         ///< it came as NAME.cnf.xml.enc.sgn, decrypted
  std::vector<std::string> over;  ///< "http" or "tftp" for each file, in order
};

/// Boots the phone once, printing as it goes.
BootResult Boot(const BootOptions& options, const std::function<void(const EnrollLine&)>& out);

}  // namespace opencapf::phone
