#pragma once

// The expiry watch: which certificates opencapf depends on run out soon. `serve` logs these at
// start and daily; `doctor` reports the same list.

#include <ctime>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "service/data_dir.h"
#include "store/store.h"

namespace opencapf::service {

/// One certificate that expires within the window, or has expired.
struct ExpiryWarning {
  enum class Kind { kService, kChain, kLsc };
  Kind kind = Kind::kService;
  std::string name;  ///< "capf", ..., or the device name for an LSC
  std::string subject;
  std::time_t not_after = 0;
  long days_left = 0;  ///< negative once expired
  bool expired = false;
  /// One sentence: what expires when, and what to do about it.
  std::string message;
};

/// Every service certificate, third-party chain certificate and installed LSC (from `store`,
/// when given) that expires within `window_days` of the clock's now, soonest first.
Result<std::vector<ExpiryWarning>> CheckExpiry(const DataDir& dir, store::Store* store,
                                               const Clock& clock, int window_days);

}  // namespace opencapf::service
