#pragma once

// `opencapf doctor`: every troubleshooting case of the LSC procedure, checked automatically.
// Each check gives one line, OK / WARN / FAIL; a WARN or FAIL also names the cause and the fix
// in the procedure's terms (what the phone shows, what to do).
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "opencapf_paths.h"
#include "phone/address.h"

namespace opencapf::doctor {

enum class Level { kOk, kWarn, kFail };

/// "OK", "WARN", "FAIL".
std::string_view LevelText(Level level);

/// What one check found.
struct Finding {
  std::string check;  ///< "capf-certificate", "itl 127.0.0.1:69", "device SEP…"
  Level level = Level::kOk;
  std::string summary;  ///< one line: what was found
  std::string cause;    ///< WARN/FAIL: why it matters — what the phone shows and why
  std::string fix;      ///< WARN/FAIL: what to do, in the procedure's terms
};

struct DoctorOptions {
  std::filesystem::path data = kDefaultDataDir;
  std::filesystem::path config;  ///< empty: service::DefaultConfigFor(data)
  /// Only this device's checks (and all of them, OK ones included); none: every device, listing
  /// only those with a problem.
  std::optional<std::string> device;
  /// The TFTP servers whose ITLFile.tlv is fetched; none: the local server from the config.
  std::vector<phone::HostPort> tftp;
  /// Where CAPF and TVS are reached; none: the local services from the config.
  std::optional<phone::HostPort> capf;
  std::optional<phone::HostPort> tvs;
  /// Certificates expiring within this many days are a WARN.
  int expiry_warn_days = 60;
  /// Bounds each network wait.
  std::chrono::seconds timeout{5};
};

struct Report {
  std::vector<Finding> findings;

  int Count(Level level) const;
  /// 0 nothing wrong; 1 at least one FAIL; 3 warnings only.
  int ExitCode() const;
};

/// Runs every check. An error only when the data directory cannot be read at all (not
/// initialised, configuration unreadable); everything else is a finding.
Result<Report> RunDoctor(const DoctorOptions& options, const Clock& clock);

/// One line per check, then indented cause and fix lines, then a summary line.
std::string ReportText(const Report& report);
/// {"checks": [{"check", "status", "summary", "cause", "fix"}], "ok": N, "warn": N, "fail": N}
std::string ReportJson(const Report& report);

}  // namespace opencapf::doctor
