#pragma once

// `opencapf phone load`: many phone sessions at once against a CAPF server (any CAPF server:
// this is only the phone's side), with keys generated before the clock starts, and the
// throughput, latency and errors measured.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "phone/address.h"
#include "phone/load_run.h"
#include "pki/certificate.h"
#include "pki/private_key.h"

namespace opencapf::phone {

struct LoadOptions {
  HostPort capf;
  /// The certificate the server must present (as a phone pins CAPF to its ITL); required.
  std::optional<pki::Certificate> capf_certificate;
  std::vector<std::string> devices;
  int concurrency = 20;
  /// The key the pool holds; a server asking for another kind gets one generated on the spot.
  pki::KeySpec key{pki::KeyAlgorithm::kRsa, 2048};
  /// Keys generated before the clock starts and used in turn; 0: min(sessions, 32).
  int key_pool = 0;
  /// Sent as PASSWORD in every session (empty: the null string).
  std::string auth_string;
  /// Bounds the connect, the handshake and each CAPF message.
  std::chrono::seconds timeout{30};
  /// I/O threads; 0: one per core.
  int threads = 0;
  /// How long each phone takes to make its key, after one REQUEST_IN_PROGRESS: sessions held
  /// open the way old phones hold them.
  std::chrono::milliseconds keygen_delay{0};
};

/// Runs every device's session, `concurrency` at a time, as coroutines on a few threads.
Result<LoadReport> RunLoad(const LoadOptions& options);

/// {"sessions": N, "ok": N, "errors": N, "rate_per_s": X, "latency_ms": {"p50": X, "p90": X,
/// "p99": X}, "errors_by_reason": {...}, "succeeded": [names]}
std::string LoadJson(const LoadReport& report);
/// The same for a person, with the pool and concurrency.
std::string LoadText(const LoadReport& report, const LoadOptions& options);

/// `count` device names made from `prefix`: "SEP00AA" gives SEP00AA00000001, SEP00AA00000002,
/// … (hex, filling the MAC's 12 digits); a softphone prefix ("CSFLOAD") gets decimal numbers.
Result<std::vector<std::string>> GeneratedDeviceNames(const std::string& prefix, int count);

/// Device names from a file: one per line, or CSV whose first column is the name (a header
/// line starting with "name" is skipped); blank lines and lines starting with '#' are ignored.
Result<std::vector<std::string>> ReadDeviceNames(const std::filesystem::path& path);

}  // namespace opencapf::phone
