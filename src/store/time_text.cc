#include "store/time_text.h"

#include <cctype>
#include <cstdint>
#include <optional>

namespace opencapf::store {

namespace {

constexpr std::string_view kForms =
    "use ISO 8601 (2026-12-01T10:00:00Z, 2026-12-01T19:00:00+09:00, or 2026-12-01 10:00 in "
    "local time) or a time from now (+90s, +15m, +1h, +2d)";

/// The furthest ahead a relative time may reach: far beyond any deadline, well inside time_t.
constexpr std::int64_t kMaxRelativeSeconds = std::int64_t{100} * 366 * 24 * 3600;

Error Bad(std::string_view text, const std::string& why) {
  return Fail("time '" + std::string(text) + "': " + why + "; " + std::string(kForms));
}

/// Reads exactly `n` decimal digits at `pos`, advancing past them.
std::optional<int> Digits(std::string_view s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return value;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Result<std::time_t> ParseRelative(std::string_view text, const Clock& clock) {
  std::size_t pos = 1;  // past '+'
  std::int64_t total = 0;
  if (pos >= text.size()) return Bad(text, "'+' must be followed by an amount and a unit");
  while (pos < text.size()) {
    std::int64_t amount = 0;
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start >= 9) return Bad(text, "the amount is too large");
      amount = amount * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == start) {
      return Bad(text, "expected a number at '" + std::string(text.substr(pos)) + "'");
    }
    if (pos == text.size()) {
      return Bad(text, "the amount " + std::to_string(amount) +
                           " has no unit; add s (seconds), m (minutes), h (hours) or d (days)");
    }
    std::int64_t unit = 0;
    switch (std::tolower(static_cast<unsigned char>(text[pos]))) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return Bad(text, "unknown unit '" + std::string(1, text[pos]) +
                             "'; use s (seconds), m (minutes), h (hours) or d (days)");
    }
    ++pos;
    total += amount * unit;  // amount < 1e9, unit <= 86400: no overflow
    if (total > kMaxRelativeSeconds) return Bad(text, "more than 100 years ahead");
  }
  return static_cast<std::time_t>(clock.Now() + total);
}

}  // namespace

Result<std::time_t> ParseTime(std::string_view text, const Clock& clock) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.empty()) return Bad(text, "no time given");
  if (text.front() == '+') return ParseRelative(text, clock);
  if (text.front() == '-') return Bad(text, "a time in the past cannot be a deadline");

  std::size_t pos = 0;
  auto year = Digits(text, pos, 4);
  bool dash1 = pos < text.size() && text[pos] == '-';
  if (dash1) ++pos;
  auto month = Digits(text, pos, 2);
  bool dash2 = pos < text.size() && text[pos] == '-';
  if (dash2) ++pos;
  auto day = Digits(text, pos, 2);
  if (!year || !dash1 || !month || !dash2 || !day) {
    return Bad(text, "expected a date as YYYY-MM-DD");
  }
  if (*year < 1970) return Bad(text, "the year must be 1970 or later");
  if (*month < 1 || *month > 12) {
    return Bad(text, "month " + std::to_string(*month) + " is not 01-12");
  }
  if (*day < 1 || *day > DaysInMonth(*year, *month)) {
    return Bad(text, "day " + std::to_string(*day) + " does not exist in " +
                         std::string(text.substr(0, 7)));
  }
  if (pos == text.size()) {
    return Bad(text, "a date alone is not a deadline; add the time of day, e.g. " +
                         std::string(text) + "T10:00:00Z");
  }
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') {
    return Bad(text, "expected 'T' or a space between the date and the time");
  }
  ++pos;
  auto hour = Digits(text, pos, 2);
  bool colon = pos < text.size() && text[pos] == ':';
  if (colon) ++pos;
  auto minute = Digits(text, pos, 2);
  if (!hour || !colon || !minute) return Bad(text, "expected a time of day as HH:MM or HH:MM:SS");
  int second = 0;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    auto s = Digits(text, pos, 2);
    if (!s) return Bad(text, "expected two digits of seconds after HH:MM:");
    second = *s;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      std::size_t start = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
      if (pos == start) return Bad(text, "expected digits after the decimal point");
    }
  }
  if (*hour > 23) return Bad(text, "hour " + std::to_string(*hour) + " is not 00-23");
  if (*minute > 59) return Bad(text, "minute " + std::to_string(*minute) + " is not 00-59");
  if (second > 59) return Bad(text, "second " + std::to_string(second) + " is not 00-59");

  // The zone: none (local time), Z, or an offset.
  if (pos == text.size()) {
    std::tm tm{};
    tm.tm_year = *year - 1900;
    tm.tm_mon = *month - 1;
    tm.tm_mday = *day;
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;  // let the zone rules decide whether summer time applies
    std::time_t t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1)) {
      return Bad(text, "it cannot be represented in the local time zone");
    }
    return t;
  }
  std::int64_t offset = 0;
  char sign = text[pos];
  if (sign == 'Z' || sign == 'z') {
    ++pos;
  } else if (sign == '+' || sign == '-') {
    ++pos;
    auto oh = Digits(text, pos, 2);
    std::optional<int> om = 0;
    if (pos < text.size()) {
      if (text[pos] == ':') ++pos;
      om = Digits(text, pos, 2);
    }
    if (!oh || !om || *oh > 23 || *om > 59) {
      return Bad(text, "the zone offset must be +HH:MM, +HHMM or +HH (or - for west of UTC)");
    }
    offset = (*oh * 3600 + *om * 60) * (sign == '+' ? 1 : -1);
  } else {
    return Bad(text, "unexpected '" + std::string(text.substr(pos)) +
                         "' after the time; a zone is Z or an offset like +09:00");
  }
  if (pos != text.size()) {
    return Bad(text, "unexpected '" + std::string(text.substr(pos)) + "' after the zone");
  }
  std::int64_t utc =
      DaysFromCivil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 + second - offset;
  return static_cast<std::time_t>(utc);
}

std::string FormatTime(std::time_t t) {
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(static_cast<long long>(t));
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

}  // namespace opencapf::store
