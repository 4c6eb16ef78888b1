#pragma once

// `opencapf phone status`: the phone's security menu (Settings > Security Configuration) from
// its state directory: LSC, MIC, trust list, and the status messages of the last run.
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "phone/state.h"

namespace opencapf::phone {

/// The menu as text.
Result<std::string> SecurityMenuText(const PhoneState& state, const Clock& clock);

/// The same facts as one JSON object: {"device", "lsc": {"status", "subject", "issuer",
/// "serial", "not_before", "not_after", "days_left"}, "mic": …, "itl": {…}, "last_run": {…}}.
Result<std::string> SecurityMenuJson(const PhoneState& state, const Clock& clock);

}  // namespace opencapf::phone
