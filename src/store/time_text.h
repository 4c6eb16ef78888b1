#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace opencapf::store {

/// Parses a time as an administrator types it for "Operation Completes By". Accepted forms:
///  - ISO 8601 with a zone: "2026-12-01T10:00:00Z", "2026-12-01T10:00:00+09:00" (also "+0900"
///    and "+09"), "2026-12-01T10:00Z";
///  - ISO 8601 without a zone: "2026-12-01T10:00:00", "2026-12-01 10:00". Read as LOCAL time of
///    the machine running opencapf (its TZ), the way an administrator reads the wall clock;
///    give a zone to be exact. A wall time skipped by a summer-time change (02:30 on the
///    spring-forward night) is moved on by the zone rules; a repeated one takes either;
///  - relative to clock.Now(): "+" then one or more number-and-unit pairs, units s, m, h, d:
///    "+90s", "+15m", "+1h", "+2d", "+1h30m".
/// Seconds are optional; 'T' or a space separates date and time; a fraction of a second is
/// dropped. Dates are checked (no 31 April, 29 February only in leap years). The error says
/// what was wrong and lists the accepted forms.
Result<std::time_t> ParseTime(std::string_view text, const Clock& clock);

/// Formats a time as ISO 8601 in UTC: "2026-12-01T10:00:00Z". ParseTime reads it back exactly.
std::string FormatTime(std::time_t t);

}  // namespace opencapf::store
