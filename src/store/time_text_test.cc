#include "store/time_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace opencapf::store {
namespace {

using ::testing::HasSubstr;

// 2026-12-01T10:00:00Z
constexpr std::time_t kDec1 = 1796119200;

/// Sets TZ for one test and puts the old value back.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

std::time_t Parsed(std::string_view text, const Clock& clock = FakeClock(0)) {
  auto r = ParseTime(text, clock);
  EXPECT_TRUE(r.ok()) << text << ": " << r.message();
  return r.ok() ? *r : -1;
}

std::string ErrorOf(std::string_view text) {
  FakeClock clock(kDec1);
  auto r = ParseTime(text, clock);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? FormatTime(*r) : "");
  return r.ok() ? std::string() : r.message();
}

TEST(TimeText, FormatsIso8601Utc) {
  EXPECT_EQ(FormatTime(kDec1), "2026-12-01T10:00:00Z");
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(951782400), "2000-02-29T00:00:00Z");
}

TEST(TimeText, ParsesUtc) {
  EXPECT_EQ(Parsed("2026-12-01T10:00:00Z"), kDec1);
  EXPECT_EQ(Parsed("2026-12-01t10:00:00z"), kDec1);
  EXPECT_EQ(Parsed("2026-12-01T10:00Z"), kDec1);
  EXPECT_EQ(Parsed("2026-12-01 10:00:00Z"), kDec1);
  EXPECT_EQ(Parsed("2026-12-01T10:00:00.750Z"), kDec1);
  EXPECT_EQ(Parsed("  2026-12-01T10:00:00Z \n"), kDec1);
  EXPECT_EQ(Parsed("2000-02-29T00:00:00Z"), 951782400);
  EXPECT_EQ(Parsed("1970-01-01T00:00:00Z"), 0);
}

TEST(TimeText, ParsesOffsets) {
  EXPECT_EQ(Parsed("2026-12-01T19:00:00+09:00"), kDec1);
  EXPECT_EQ(Parsed("2026-12-01T19:00:00+0900"), kDec1);
  EXPECT_EQ(Parsed("2026-12-01T19:00+09"), kDec1);
  EXPECT_EQ(Parsed("2026-12-01T04:30:00-05:30"), kDec1);
  EXPECT_EQ(Parsed("2026-12-01T10:00:00+00:00"), kDec1);
  // Crossing a date (and a year) boundary.
  EXPECT_EQ(Parsed("2027-01-01T08:00:00+09:00"), Parsed("2026-12-31T23:00:00Z"));
}

TEST(TimeText, RoundTrips) {
  FakeClock clock(0);
  for (std::time_t t : {std::time_t{0}, kDec1, std::time_t{4102444799}, std::time_t{951868799}}) {
    EXPECT_EQ(Parsed(FormatTime(t), clock), t) << FormatTime(t);
  }
}

TEST(TimeText, NoZoneMeansLocalTime) {
  {
    ScopedTz tz("JST-9");  // POSIX rule: UTC+9, no summer time; needs no tzdata
    EXPECT_EQ(Parsed("2026-12-01T19:00:00"), kDec1);
    EXPECT_EQ(Parsed("2026-12-01 19:00"), kDec1);
  }
  {
    ScopedTz tz("UTC0");
    EXPECT_EQ(Parsed("2026-12-01 10:00"), kDec1);
  }
  {
    // Summer time is applied by the zone's rules: 1 July in New York is UTC-4.
    ScopedTz tz("EST5EDT,M3.2.0,M11.1.0");
    EXPECT_EQ(Parsed("2026-07-01 06:00"), Parsed("2026-07-01T10:00:00Z"));
    EXPECT_EQ(Parsed("2026-12-01 05:00"), kDec1);
  }
}

TEST(TimeText, RelativeToTheClock) {
  FakeClock clock(kDec1);
  EXPECT_EQ(Parsed("+90s", clock), kDec1 + 90);
  EXPECT_EQ(Parsed("+15m", clock), kDec1 + 15 * 60);
  EXPECT_EQ(Parsed("+1h", clock), kDec1 + 3600);
  EXPECT_EQ(Parsed("+2d", clock), kDec1 + 2 * 86400);
  EXPECT_EQ(Parsed("+1h30m", clock), kDec1 + 5400);
  EXPECT_EQ(Parsed("+1H", clock), kDec1 + 3600);
  clock.Advance(100);
  EXPECT_EQ(Parsed("+1h", clock), kDec1 + 100 + 3600);
}

TEST(TimeText, ErrorsSayWhatIsAccepted) {
  std::string e = ErrorOf("tomorrow");
  EXPECT_THAT(e, HasSubstr("time 'tomorrow': expected a date as YYYY-MM-DD"));
  EXPECT_THAT(e, HasSubstr("2026-12-01T10:00:00Z"));
  EXPECT_THAT(e, HasSubstr("+90s, +15m, +1h, +2d"));

  EXPECT_THAT(ErrorOf(""), HasSubstr("no time given"));
  EXPECT_THAT(ErrorOf("2026-12-01"), HasSubstr("add the time of day, e.g. 2026-12-01T10:00:00Z"));
  EXPECT_THAT(ErrorOf("2026-13-01T10:00Z"), HasSubstr("month 13 is not 01-12"));
  EXPECT_THAT(ErrorOf("2027-02-29T10:00Z"), HasSubstr("day 29 does not exist in 2027-02"));
  EXPECT_THAT(ErrorOf("2026-04-31T10:00Z"), HasSubstr("day 31 does not exist"));
  EXPECT_THAT(ErrorOf("2026-12-01T24:00Z"), HasSubstr("hour 24 is not 00-23"));
  EXPECT_THAT(ErrorOf("2026-12-01T10:60Z"), HasSubstr("minute 60"));
  EXPECT_THAT(ErrorOf("2026-12-01T10:00:61Z"), HasSubstr("second 61"));
  EXPECT_THAT(ErrorOf("2026-12-01T10Z"), HasSubstr("HH:MM"));
  EXPECT_THAT(ErrorOf("2026-12-01_10:00Z"), HasSubstr("'T' or a space"));
  EXPECT_THAT(ErrorOf("2026-12-01T10:00:00+9"), HasSubstr("+HH:MM"));
  EXPECT_THAT(ErrorOf("2026-12-01T10:00:00+24:00"), HasSubstr("+HH:MM"));
  EXPECT_THAT(ErrorOf("2026-12-01T10:00:00 JST"), HasSubstr("unexpected ' JST'"));
  EXPECT_THAT(ErrorOf("2026-12-01T10:00:00Zulu"), HasSubstr("unexpected 'ulu' after the zone"));
  EXPECT_THAT(ErrorOf("1969-12-31T23:00Z"), HasSubstr("1970 or later"));
  EXPECT_THAT(ErrorOf("+"), HasSubstr("followed by an amount and a unit"));
  EXPECT_THAT(ErrorOf("+5"), HasSubstr("has no unit"));
  EXPECT_THAT(ErrorOf("+5y"), HasSubstr("unknown unit 'y'"));
  EXPECT_THAT(ErrorOf("+h"), HasSubstr("expected a number at 'h'"));
  EXPECT_THAT(ErrorOf("+1h 30m"), HasSubstr("expected a number at ' 30m'"));
  EXPECT_THAT(ErrorOf("-1h"), HasSubstr("in the past"));
  EXPECT_THAT(ErrorOf("+999999999d"), HasSubstr("more than 100 years"));
  EXPECT_THAT(ErrorOf("+9999999999s"), HasSubstr("too large"));
}

}  // namespace
}  // namespace opencapf::store
